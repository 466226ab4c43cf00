package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// appsChannel is the channel on which PostgreSQL announces a committed
// change of the apps table, with the table's schema as the payload
// (migration 0017: a statement trigger on apps).
const appsChannel = "zfb_apps"

// listenerApplicationName names the listener's session in pg_stat_activity.
const listenerApplicationName = "zfb app listener"

const (
	// listenerPing is how long the listener waits for a notification
	// before it checks its connection with a ping: a connection that died
	// without a word (a host gone) is found within it, and until then the
	// TTL bounds what this store believes (appVersionTTL).
	listenerPing = 10 * time.Second
	// listenerRetry and listenerRetryMax bound the waits between attempts
	// to connect again, doubling from the first to the second.
	listenerRetry    = 100 * time.Millisecond
	listenerRetryMax = 5 * time.Second
)

// appListener keeps a PostgreSQL store's app versions honest while several
// zfb instances share the database: on its own connection it LISTENs on
// appsChannel and forgets the kept versions at every notification of the
// store's schema. PostgreSQL sends a notification when the transaction
// that changed the apps table commits; until the listener has it, this
// instance may answer with the version before (microseconds on one
// machine, never longer than appVersionTTL). While it is not connected,
// the versions are paused: every call reads its app's version, as before
// there was a listener. Behind a pooler in transaction mode (PgBouncer,
// say) a LISTEN may succeed and hear nothing; the TTL still bounds what
// an instance believes to a second.
type appListener struct {
	config   *pgx.ConnConfig
	versions *appVersions
	logger   *slog.Logger
	cancel   context.CancelFunc
	done     chan struct{}
	pid      atomic.Uint32 // the listening session's backend (0: none)
}

// startAppListener starts listening with a connection made from config,
// which it keeps.
func startAppListener(config *pgx.ConnConfig, versions *appVersions, logger *slog.Logger) *appListener {
	config.RuntimeParams["application_name"] = listenerApplicationName
	ctx, cancel := context.WithCancel(context.Background())
	l := &appListener{config: config, versions: versions, logger: logger, cancel: cancel, done: make(chan struct{})}
	go l.run(ctx)
	return l
}

// close stops the listener and waits for it.
func (l *appListener) close() {
	l.cancel()
	<-l.done
}

// run listens until ctx ends, connecting again whenever the connection
// fails.
func (l *appListener) run(ctx context.Context) {
	defer close(l.done)
	retry := listenerRetry
	for {
		heard, err := l.listen(ctx)
		l.versions.pause()
		if ctx.Err() != nil {
			return
		}
		if heard {
			retry = listenerRetry
		}
		l.logger.WarnContext(ctx, "app listener lost PostgreSQL: every call reads its app's version until it is back",
			"err", err, "retry_in", retry)
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
		retry = min(2*retry, listenerRetryMax)
	}
}

// listen connects, LISTENs, resumes the kept versions and forgets them at
// every notification of its schema, until the connection fails or ctx
// ends. heard is whether it got as far as listening.
func (l *appListener) listen(ctx context.Context) (heard bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, l.config)
	if err != nil {
		return false, fmt.Errorf("connect: %w", err)
	}
	defer func() { // a clean goodbye, unless the network holds it up
		bye, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(bye)
	}()
	l.pid.Store(conn.PgConn().PID())
	defer l.pid.Store(0)
	var schema string
	if err := conn.QueryRow(ctx, `SELECT COALESCE(current_schema(), '')`).Scan(&schema); err != nil {
		return false, fmt.Errorf("read the schema: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+appsChannel); err != nil {
		return false, fmt.Errorf("listen: %w", err)
	}
	// From here every commit that changes an app is announced to this
	// connection, so what is read from now on may be kept.
	l.versions.resume()
	for {
		wait, cancel := context.WithTimeout(ctx, listenerPing)
		n, err := conn.WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			if n.Payload == schema {
				l.versions.forget()
			}
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			ping, cancel := context.WithTimeout(ctx, listenerPing)
			err := conn.Ping(ping)
			cancel()
			if err != nil {
				return true, fmt.Errorf("ping: %w", err)
			}
		default:
			return true, fmt.Errorf("wait for a notification: %w", err)
		}
	}
}
