package zfbtest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/alipay"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
	"github.com/zfbpay/zfb/storetest"
	"github.com/zfbpay/zfb/zfbtest"
)

// backends runs fn against a zfb on SQLite and, when ZFB_TEST_POSTGRES is
// set (required with CI=true), on PostgreSQL.
func backends(t *testing.T, fn func(t *testing.T, srv *zfbtest.Server)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, zfbtest.NewServer(t)) })
	t.Run("postgres", func(t *testing.T) {
		fn(t, zfbtest.NewServer(t, zfbtest.WithDatabase(storetest.PostgresURL(t))))
	})
}

func client(t *testing.T, srv *zfbtest.Server, app sandbox.App, opts ...alipay.Option) *alipay.Client {
	t.Helper()
	opts = append([]alipay.Option{alipay.WithGateway(srv.GatewayURL), alipay.WithSignType(sign.Algorithm(app.SignType))}, opts...)
	c, err := alipay.New(app.AppID, app.AppPrivateKey, app.AlipayPublicKey, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSDKAgainstGateway(t *testing.T) {
	backends(t, func(t *testing.T, srv *zfbtest.Server) {
		ctx := context.Background()
		call := func(c *alipay.Client, biz any) error {
			return c.Do(ctx, alipay.Request{Method: "alipay.zfb.no.such.method", BizContent: biz}, nil)
		}
		wantAlipayError := func(t *testing.T, err error, code, subCode string) *alipay.Error {
			t.Helper()
			var ae *alipay.Error
			if !errors.As(err, &ae) || ae.Code != code || ae.SubCode != subCode {
				t.Fatalf("got %v, want alipay error %s %s", err, code, subCode)
			}
			return ae
		}

		t.Run("RSA2 app, unknown method, signed answer verified", func(t *testing.T) {
			ae := wantAlipayError(t, call(client(t, srv, srv.App()), map[string]string{"a": "1"}), "40002", "isv.invalid-method")
			if ae.SubMsg != "不存在的方法名" {
				t.Fatalf("sub_msg %q", ae.SubMsg)
			}
		})
		t.Run("RSA app", func(t *testing.T) {
			app := srv.NewApp(t, zfb.SignTypeRSA)
			wantAlipayError(t, call(client(t, srv, app), map[string]string{"a": "1"}), "40002", "isv.invalid-method")
		})
		t.Run("GBK: Chinese text both ways, signatures over GBK bytes", func(t *testing.T) {
			c := client(t, srv, srv.App(), alipay.WithCharset("GBK"))
			ae := wantAlipayError(t, call(c, map[string]string{"subject": "测试商品"}), "40002", "isv.invalid-method")
			if ae.SubMsg != "不存在的方法名" {
				t.Fatalf("sub_msg %q", ae.SubMsg)
			}
			// Signed with a key the app does not have: the gateway echoes its
			// sign string, biz_content and all, and it reads back as text.
			other, err := sign.GenerateKey(2048)
			if err != nil {
				t.Fatal(err)
			}
			app := srv.App()
			app.AppPrivateKey = sign.PrivateKeyPKCS1PEM(other)
			ae = wantAlipayError(t, call(client(t, srv, app, alipay.WithCharset("GBK")), map[string]string{"subject": "测试商品"}), "40002", "isv.invalid-signature")
			if !strings.Contains(ae.SubMsg, `biz_content={"subject":"测试商品"}&amp;charset=gbk`) {
				t.Fatalf("sub_msg %q", ae.SubMsg)
			}
		})
		t.Run("wrong Alipay public key fails verification", func(t *testing.T) {
			app := srv.App()
			app.AlipayPublicKey = app.AppPublicKey // the classic mix-up
			err := call(client(t, srv, app), map[string]string{"a": "1"})
			if !errors.Is(err, alipay.ErrSignature) {
				t.Fatalf("got %v, want ErrSignature", err)
			}
		})
		t.Run("unknown app: unsigned error, still readable", func(t *testing.T) {
			app := srv.App()
			app.AppID = "2021000000000404"
			wantAlipayError(t, call(client(t, srv, app), map[string]string{"a": "1"}), "40002", "isv.invalid-app-id")
		})
		t.Run("admin clock", func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, srv.AdminURL()+"/apps/"+srv.App().AppID+"/clock", strings.NewReader(`{"advance":"2d"}`))
			req.Header.Set("Authorization", "Bearer "+srv.Sandbox.AdminToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("HTTP %d", resp.StatusCode)
			}
			now, err := srv.Service.AppNow(ctx, srv.App().AppID)
			if err != nil {
				t.Fatal(err)
			}
			if d := now.Sub(zfb.SystemClock.Now()); d < 47*time.Hour || d > 49*time.Hour {
				t.Fatalf("app clock is %v ahead, want 48h", d)
			}
		})
	})
}
