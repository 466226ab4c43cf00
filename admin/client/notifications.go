package client

import (
	"context"
	"strconv"
	"time"
)

// Notification is an asynchronous notification and its sends.
type Notification struct {
	ID          int64      `json:"id"`
	AppID       string     `json:"app_id"`
	NotifyType  string     `json:"notify_type"`
	NotifyID    string     `json:"notify_id"`
	URL         string     `json:"url"`
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt,omitempty"` // app time; nil once delivered or given up
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// Fields and Sends are given by Notification and Replay, not by the
	// list.
	Fields map[string]string `json:"fields,omitempty"`
	Sends  []Send            `json:"sends,omitempty"`
}

// Send is one delivery attempt.
type Send struct {
	N            int       `json:"n"`
	At           time.Time `json:"at"`
	StatusCode   int       `json:"status_code,omitempty"`
	Body         string    `json:"body,omitempty"` // the start of the answer
	LatencyMS    float64   `json:"latency_ms"`
	Error        string    `json:"error,omitempty"`
	Acknowledged bool      `json:"acknowledged"`
	Replay       bool      `json:"replay,omitempty"`
}

// Replay is the answer of ReplayNotification: the send it made and the
// notification after it.
type Replay struct {
	Send         Send         `json:"send"`
	Notification Notification `json:"notification"`
}

// Notifications lists an app's notifications.
func (c *Client) Notifications(ctx context.Context, appID string) ([]Notification, error) {
	var out struct {
		Notifications []Notification `json:"notifications"`
	}
	err := c.do(ctx, "GET", "/apps/"+seg(appID)+"/notifications", nil, &out)
	return out.Notifications, err
}

// Notification reads one notification with its fields and sends.
func (c *Client) Notification(ctx context.Context, id int64) (*Notification, error) {
	var out Notification
	if err := c.do(ctx, "GET", "/notifications/"+strconv.FormatInt(id, 10), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplayNotification sends a notification again now, with the same
// notify_id, outside its schedule.
func (c *Client) ReplayNotification(ctx context.Context, id int64) (*Replay, error) {
	var out Replay
	if err := c.do(ctx, "POST", "/notifications/"+strconv.FormatInt(id, 10)+"/replay", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
