package alipay

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/zfbpay/zfb/sign"
)

// seen records the calls of a NotificationHandler's fn.
type seen struct {
	mu    sync.Mutex
	calls int
	n     *Notification
	v     any
	ctx   context.Context
	err   error // what fn returns
}

func (s *seen) fn(ctx context.Context, n *Notification, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	s.n, s.v, s.ctx = n, v, ctx
	return s.err
}

// serve posts r to h and returns the status and the body.
func serve(t *testing.T, h http.Handler, r *http.Request) (int, string, http.Header) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := w.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body), res.Header
}

func TestNotificationHandlerSuccess(t *testing.T) {
	c := notifyClient(t)
	for _, tc := range []struct {
		notifyType string
		fields     map[string]string
		want       any
	}{
		{NotifyTypeTradeStatusSync, fullTradeFields(), wantTrade()},
		{NotifyTypeFundAuthFreeze, fullFundAuthFields(), wantFundAuth()},
		{NotifyTypeFundAuthOperationCancel, fullCancelFields(), wantCancel()},
	} {
		t.Run(tc.notifyType, func(t *testing.T) {
			var s seen
			h := c.NotificationHandler(s.fn)
			form := gatewayNotification(t, sign.RSA2, tc.notifyType, tc.fields)
			type key struct{}
			r := postForm(form)
			r = r.WithContext(context.WithValue(r.Context(), key{}, "request"))

			status, body, hdr := serve(t, h, r)
			if status != http.StatusOK || body != "success" {
				t.Fatalf("answer %d %q, want 200 %q", status, body, "success")
			}
			if ct := hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q", ct)
			}
			if s.calls != 1 {
				t.Fatalf("fn called %d times", s.calls)
			}
			if s.ctx.Value(key{}) != "request" {
				t.Error("fn did not get the request's context")
			}
			checkCommon(t, s.n, tc.notifyType, form)
			if !reflect.DeepEqual(s.v, tc.want) {
				t.Errorf("fn saw\n %#v\nwant %#v", s.v, tc.want)
			}
			checkEveryField(t, s.v, form)
		})
	}
}

func TestNotificationHandlerBadSignature(t *testing.T) {
	c := notifyClient(t)
	form := gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, fullTradeFields())
	otherApp := fullTradeFields()
	otherApp["app_id"] = "2021000000000999"

	tampered := cloneValues(form)
	tampered.Set("trade_status", TradeStatusFinished)
	added := cloneValues(form)
	added.Set("gmt_close", "2024-01-04 00:00:00")
	unsigned := cloneValues(form)
	unsigned.Del("sign")
	garbage := cloneValues(form)
	garbage.Set("sign", "bm90IGEgc2lnbmF0dXJl")
	weak := cloneValues(form)
	weak.Set("sign_type", "RSA")

	for name, r := range map[string]*http.Request{
		"tampered":      postForm(tampered),
		"added field":   postForm(added),
		"no sign":       postForm(unsigned),
		"garbage sign":  postForm(garbage),
		"sign_type RSA": postForm(weak),
		"another app":   postForm(gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, otherApp)),
		"empty body":    postForm(url.Values{}),
		"not a form": func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/alipay/notify", strings.NewReader(`{"notify_id":"1"}`))
			r.Header.Set("Content-Type", "application/json")
			return r
		}(),
		"too big": func() *http.Request {
			big := cloneValues(form)
			big.Set("padding", strings.Repeat("x", maxNotificationBytes))
			return postForm(big)
		}(),
	} {
		t.Run(name, func(t *testing.T) {
			var s seen
			status, body, _ := serve(t, c.NotificationHandler(s.fn), r)
			if status != http.StatusBadRequest || body != "fail" {
				t.Errorf("answer %d %q, want 400 %q", status, body, "fail")
			}
			if s.calls != 0 {
				t.Errorf("fn called %d times", s.calls)
			}
		})
	}
}

func TestNotificationHandlerFnError(t *testing.T) {
	c := notifyClient(t)
	s := seen{err: errors.New("database down")}
	form := gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, fullTradeFields())
	status, body, _ := serve(t, c.NotificationHandler(s.fn), postForm(form))
	if status != http.StatusInternalServerError || body != "fail" {
		t.Errorf("answer %d %q, want 500 %q", status, body, "fail")
	}
	if s.calls != 1 {
		t.Errorf("fn called %d times", s.calls)
	}
	// Alipay's retry of the same notification, once fn succeeds.
	s.err = nil
	if status, body, _ := serve(t, c.NotificationHandler(s.fn), postForm(form)); status != http.StatusOK || body != "success" {
		t.Errorf("retry: answer %d %q", status, body)
	}
}

func TestNotificationHandlerMethod(t *testing.T) {
	c := notifyClient(t)
	form := gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, fullTradeFields())
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		var s seen
		// Even a correctly signed notification in the query string.
		r := httptest.NewRequest(method, "/alipay/notify?"+form.Encode(), nil)
		status, body, hdr := serve(t, c.NotificationHandler(s.fn), r)
		if status != http.StatusMethodNotAllowed {
			t.Errorf("%s: status %d, want 405", method, status)
		}
		if method != http.MethodHead && body != "fail" {
			t.Errorf("%s: body %q", method, body)
		}
		if allow := hdr.Get("Allow"); allow != http.MethodPost {
			t.Errorf("%s: Allow %q", method, allow)
		}
		if s.calls != 0 {
			t.Errorf("%s: fn called", method)
		}
	}
}

func TestNotificationHandlerUnknownType(t *testing.T) {
	c := notifyClient(t)
	var s seen
	form := gatewayNotification(t, sign.RSA2, "open_app_auth_notify", map[string]string{"biz_content": `{"x":1}`})
	status, body, _ := serve(t, c.NotificationHandler(s.fn), postForm(form))
	if status != http.StatusOK || body != "success" {
		t.Fatalf("answer %d %q", status, body)
	}
	if s.calls != 1 || s.v != nil {
		t.Fatalf("fn: %d calls, v %#v", s.calls, s.v)
	}
	if s.n.NotifyType != "open_app_auth_notify" || s.n.Form.Get("biz_content") != `{"x":1}` {
		t.Errorf("n %+v", s.n)
	}
}

// A GBK notification: Alipay signs over the GBK bytes and sends them
// percent-encoded (as in TestParseNotificationGBK); fn sees UTF-8.
func TestNotificationHandlerGBK(t *testing.T) {
	c := notifyClient(t)
	fields := fullTradeFields()
	fields["charset"] = "gbk"
	fields["subject"] = "测试商品：中文"
	fields["body"] = "押金 200 元"
	gbk := map[string]string{}
	for k, v := range fields {
		gbk[k] = string(toGBKTest(t, []byte(v)))
	}
	form := gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, gbk)
	if form.Get("subject") == "测试商品：中文" {
		t.Fatal("the form is not GBK")
	}

	var s seen
	r := postForm(form)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=GBK")
	status, body, _ := serve(t, c.NotificationHandler(s.fn), r)
	if status != http.StatusOK || body != "success" {
		t.Fatalf("answer %d %q", status, body)
	}
	want := wantTrade()
	want.Subject, want.Body = "测试商品：中文", "押金 200 元"
	if !reflect.DeepEqual(s.v, want) {
		t.Errorf("fn saw\n %#v\nwant %#v", s.v, want)
	}
	if s.n.Charset != "gbk" || s.n.Form.Get("subject") != "测试商品：中文" {
		t.Errorf("n %+v", s.n)
	}

	// A changed Chinese field does not verify.
	forged := cloneValues(form)
	forged.Set("subject", string(toGBKTest(t, []byte("测试商品：英文"))))
	s = seen{}
	if status, body, _ := serve(t, c.NotificationHandler(s.fn), postForm(forged)); status != http.StatusBadRequest || body != "fail" || s.calls != 0 {
		t.Errorf("forged GBK: %d %q, %d calls", status, body, s.calls)
	}
}

// Alipay retries, possibly while an earlier attempt still runs: fn deduping
// by NotifyID does the work once, and every attempt reads "success".
func TestNotificationHandlerConcurrentRetries(t *testing.T) {
	c := notifyClient(t)
	var (
		mu   sync.Mutex
		done = map[string]bool{}
		work atomic.Int32
	)
	h := c.NotificationHandler(func(ctx context.Context, n *Notification, v any) error {
		mu.Lock()
		defer mu.Unlock()
		if done[n.NotifyID] {
			return nil
		}
		if _, ok := v.(*TradeNotification); !ok {
			return fmt.Errorf("got %T", v)
		}
		work.Add(1)
		done[n.NotifyID] = true
		return nil
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	body := gatewayNotification(t, sign.RSA2, NotifyTypeTradeStatusSync, fullTradeFields()).Encode()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			res, err := srv.Client().Post(srv.URL, "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(body))
			if err != nil {
				errs <- err
				return
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			if res.StatusCode != http.StatusOK || string(b) != "success" {
				errs <- fmt.Errorf("answer %d %q", res.StatusCode, b)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := work.Load(); n != 1 {
		t.Errorf("the work ran %d times", n)
	}
}

func TestNotificationHandlerNilFn(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	notifyClient(t).NotificationHandler(nil)
}

func ExampleClient_NotificationHandler() {
	var c *Client // from New, with the app's key and Alipay's public key
	markPaid := func(ctx context.Context, outTradeNo, amount string) error { return nil }
	http.Handle("/alipay/notify", c.NotificationHandler(func(ctx context.Context, n *Notification, v any) error {
		switch v := v.(type) {
		case *TradeNotification:
			if v.TradeStatus == TradeStatusSuccess || v.TradeStatus == TradeStatusFinished {
				// Idempotent: Alipay retries, so this may run again for the
				// same n.NotifyID. Check the amount against the order.
				return markPaid(ctx, v.OutTradeNo, v.TotalAmount)
			}
		case *FundAuthNotification, *FundAuthCancelNotification:
			// …
		default:
			log.Printf("alipay notification %s (%s) ignored", n.NotifyID, n.NotifyType)
		}
		return nil // answers "success"
	}))
}
