package admin_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/zfbpay/zfb/admin"
	"github.com/zfbpay/zfb/sandbox"
)

// TestDelayFaultLongerThanWriteTimeout: a delay the server could never
// answer after (its write timeout cuts the connection first) is refused
// with 400 and a message naming the timeout; a shorter one is taken.
func TestDelayFaultLongerThanWriteTimeout(t *testing.T) {
	_, svc, token := newAdmin(t)
	h := admin.New(svc, token, svc.Logger, admin.WithWriteTimeout(60*time.Second))
	faults := admin.Prefix + "/apps/" + sandbox.FirstAppID + "/faults"
	for _, delay := range []string{"60000", "90000", "600000"} {
		status, out := do(t, h, token, "POST", faults, `{"method":"alipay.trade.pay","effect":"delay","delay_ms":`+delay+`}`)
		msg, _ := out["error"].(map[string]any)["message"].(string)
		if status != http.StatusBadRequest || !strings.Contains(msg, "write timeout (1m0s)") {
			t.Errorf("delay_ms %s: %d %v, want 400 naming the write timeout", delay, status, out)
		}
	}
	if status, out := do(t, h, token, "POST", faults, `{"method":"alipay.trade.pay","effect":"delay","delay_ms":59000}`); status != http.StatusCreated {
		t.Errorf("delay_ms 59000: %d %v, want 201", status, out)
	}
	// Without the option (no server timeout known) the domain's own
	// bound applies.
	if status, out := do(t, admin.New(svc, token, svc.Logger), token, "POST", faults, `{"method":"alipay.trade.pay","effect":"delay","delay_ms":90000}`); status != http.StatusCreated {
		t.Errorf("no write timeout given: %d %v, want 201", status, out)
	}
}
