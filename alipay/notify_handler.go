package alipay

import (
	"context"
	"net/http"
)

// The bodies of a notification answer (spec/openapi.md §5.1). Alipay stops
// retrying only on exactly "success"; anything else is retried.
const (
	notifyAckSuccess = "success"
	notifyAckFail    = "fail"
)

// maxNotificationBytes bounds the body NotificationHandler reads; a
// notification is a few KiB.
const maxNotificationBytes = 1 << 20

// NotificationHandler returns the http.Handler to mount at your notify_url.
// For each POST it reads, verifies and decodes the notification
// (DecodeNotification), then calls fn with the request's context, the
// common fields and the typed notification (nil for a notify_type this
// package has no struct for). It answers:
//
//   - 200 with the body exactly "success" when fn returns nil: Alipay stops
//     retrying;
//   - 500 "fail" when fn returns an error: Alipay retries later (4m, 10m,
//     10m, 1h, 2h, 6h, 15h);
//   - 400 "fail", without calling fn, when the notification cannot be read
//     or does not verify (a bad or missing signature, another app's
//     app_id);
//   - 405 "fail" to any other method than POST.
//
// fn must be idempotent. Alipay sends a notification again until it reads
// "success" — after a timeout, a lost answer or an error — and may send it
// concurrently with a retry still running, so fn can see the same
// notification several times: dedupe by Notification.NotifyID (the same on
// every retry), or make the update itself conditional (e.g. mark the order
// paid only if it is not already), in the same transaction as the work.
// Return nil only once the notification is durably handled; return an error
// to have it sent again. For a trade, check TotalAmount, OutTradeNo and
// SellerID against your own order before acting on it.
//
// The handler does not report why it refused a notification; to log that,
// call DecodeNotification from your own handler instead.
func (c *Client) NotificationHandler(fn func(ctx context.Context, n *Notification, v any) error) http.Handler {
	if fn == nil {
		panic("alipay: NotificationHandler: nil fn")
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeNotifyAck(w, http.StatusMethodNotAllowed, notifyAckFail)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxNotificationBytes)
		n, v, err := c.DecodeNotification(r)
		if err != nil {
			writeNotifyAck(w, http.StatusBadRequest, notifyAckFail)
			return
		}
		if err := fn(r.Context(), n, v); err != nil {
			writeNotifyAck(w, http.StatusInternalServerError, notifyAckFail)
			return
		}
		writeNotifyAck(w, http.StatusOK, notifyAckSuccess)
	})
}

// writeNotifyAck writes body exactly: no newline, no byte-order mark.
func writeNotifyAck(w http.ResponseWriter, status int, body string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
