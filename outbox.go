package zfb

import "time"

// OutboxMessage is work to be done after a command commits, written in the
// same transaction as the command: an asynchronous notification to a
// merchant's notify_url, say. zfb records them; delivering them is still to
// be built.
type OutboxMessage struct {
	ID          int64
	AppID       string
	Kind        string // e.g. "notify"
	Target      string // e.g. the notify_url
	Payload     string // the body to deliver, ready to send
	Attempts    int
	NextAttempt time.Time
	CreatedAt   time.Time
	DeliveredAt *time.Time
	LastError   string
}
