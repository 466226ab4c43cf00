package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
	"github.com/zfbpay/zfb/sign"
)

func TestPercentile(t *testing.T) {
	var r result
	for i := 1; i <= 1000; i++ {
		r.latencies = append(r.latencies, time.Duration(i)*time.Millisecond)
	}
	for q, want := range map[float64]time.Duration{0.50: 500 * time.Millisecond, 0.99: 990 * time.Millisecond, 0.999: 999 * time.Millisecond} {
		if got := r.percentile(q); got != want {
			t.Errorf("p%v = %v, want %v", q*100, got, want)
		}
	}
	if (result{}).percentile(0.5) != 0 {
		t.Error("the percentile of no latencies is not 0")
	}
}

// newTestSigner is a signer of requests of a new RSA2 app, which it
// returns too, paid by one buyer.
func newTestSigner(t *testing.T) (*zfb.App, *signer) {
	t.Helper()
	app, err := sandbox.NewApp("", "RSA2", nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &sandbox.File{Apps: []sandbox.App{sandbox.AppCredentials(app)}, Buyers: []sandbox.Buyer{{PaymentCode: "281234567890123456", Behaviour: "pays"}}}
	s, err := newSigner(f)
	if err != nil {
		t.Fatal(err)
	}
	return app, s
}

// TestStubVerifiesAndSignsDistinctAnswers: the stub does the work a
// gateway cannot skip — it refuses a request whose signature is wrong, and
// answers each request with its own, freshly signed answer — so that the
// shares of the stub mean what they say.
func TestStubVerifiesAndSignsDistinctAnswers(t *testing.T) {
	app, s := newTestSigner(t)
	gatewayKey, err := sign.GenerateKey(2048)
	if err != nil {
		t.Fatal(err)
	}
	appPublic, err := sign.ParsePublicKey(app.AppPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	h := stubHandler{appPublic: appPublic, signer: sign.RSASigner{Key: gatewayKey}, alg: sign.RSA2}
	reqs, err := s.requests("stub", 2)
	if err != nil {
		t.Fatal(err)
	}
	answer := func(req request) []byte {
		r := httptest.NewRequest(http.MethodPost, "/gateway.do", bytes.NewReader(req.body))
		r.Header.Set("Content-Type", req.contentType)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Body.Bytes()
	}
	a, b := answer(reqs[0]), answer(reqs[1])
	if !reqs[0].succeeded(a) || !reqs[1].succeeded(b) || bytes.Equal(a, b) {
		t.Fatalf("answers:\n%s\n%s", a, b)
	}
	if _, err := sign.VerifyResponse(&gatewayKey.PublicKey, sign.RSA2, a, sign.ResponseNode("alipay.trade.query")); err != nil {
		t.Fatalf("the stub's answer does not verify: %v", err)
	}
	tampered := reqs[0]
	tampered.body = bytes.Replace(tampered.body, []byte("utf-8"), []byte("UTF-8"), 1)
	if got := answer(tampered); reqs[0].succeeded(got) || !bytes.Contains(got, []byte("isv.invalid-signature")) {
		t.Fatalf("a tampered request got %s", got)
	}
}

// TestMain lets the test binary run as the stub server too, as zfbload
// does: startStubProcess runs os.Executable with stubServerArg.
func TestMain(m *testing.M) {
	if len(os.Args) == 2 && os.Args[1] == stubServerArg {
		if err := runStubServer(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestStubProcessAnswersAndItsCPUIsMeasured: the stub runs in a process of
// its own, answers a signed query, and /proc shows the CPU it spent.
func TestStubProcessAnswersAndItsCPUIsMeasured(t *testing.T) {
	if _, ok := processCPU(os.Getpid()); !ok {
		t.Skip("no /proc here: CPU per answer is not measured on this system")
	}
	app, s := newTestSigner(t)
	p, err := startStubProcess(t.Context(), stubConfig{AppPublicKey: app.AppPublicKey, Signer: signerGo, Alg: "RSA2"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	reqs, err := s.requests("stub", 50)
	if err != nil {
		t.Fatal(err)
	}
	d := newDriver([]string{"http://" + p.addr}, 2, 0)
	defer d.close()
	cpu := startCPU(p.pid())
	r := d.run(t.Context(), "stub", reqs)
	if r.ok != 50 || r.failed != 0 {
		t.Fatalf("ok %d, failed %d: %s", r.ok, r.failed, r.firstFail)
	}
	// Fifty RSA-2048 signatures take more than a clock tick of CPU.
	if spent, ok := cpu.spent(); !ok || spent <= 0 {
		t.Errorf("CPU spent %v (known %t), want more than 0", spent, ok)
	}
}
