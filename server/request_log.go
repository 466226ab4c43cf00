package server

import (
	"context"
	"log/slog"
	"sync"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/reqlog"
)

// DefaultRequestLog is how many calls the request log keeps by default.
const DefaultRequestLog = 10000

// StartRequestLog starts, when keep > 0, the recorder of the request log
// on ctx, keeping the newest keep calls. It returns the recorder for
// Config.Recorder (nil when keep is 0: the log is off) and a function that
// waits, after ctx is done, until the recorder has written what was
// queued. Cancel ctx after the HTTP server has stopped, so that the last
// calls are written too.
func StartRequestLog(ctx context.Context, svc *zfb.Service, logger *slog.Logger, keep int, opts ...reqlog.Option) (zfb.RequestRecorder, func()) {
	if keep <= 0 {
		return nil, func() {}
	}
	rec := reqlog.New(svc, logger, keep, opts...)
	var wg sync.WaitGroup
	wg.Go(func() { rec.Run(ctx) })
	return rec, wg.Wait
}
