package sign

import (
	"strings"
	"sync"
	"testing"
)

// TestSignerMatchesSign checks that this build's Signer gives, byte for
// byte, what Sign gives, for both algorithms and content of every shape.
func TestSignerMatchesSign(t *testing.T) {
	k := appKey(t)
	s, err := NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []Algorithm{RSA, RSA2} {
		for _, content := range []string{"", "a=1", benchValue, strings.Repeat("测试&", 500)} {
			want, err := Sign(k, alg, []byte(content))
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Sign(alg, []byte(content))
			if err != nil || got != want {
				t.Fatalf("%s %s, %d bytes: %q, %v\nwant %q", SignerName, alg, len(content), got, err, want)
			}
			if err := Verify(&k.PublicKey, alg, []byte(content), got); err != nil {
				t.Fatalf("%s %s: %v", SignerName, alg, err)
			}
		}
	}
	if _, err := s.Sign("RSA3", []byte("x")); err == nil {
		t.Error("sign_type RSA3 signed")
	}
	if _, err := NewSigner(nil); err == nil {
		t.Error("NewSigner(nil) succeeded")
	}
}

// TestSignerKnownAnswer checks this build's Signer against the known
// answers for javaExample, computed with the openssl command (rsa_test.go).
func TestSignerKnownAnswer(t *testing.T) {
	s, err := NewSigner(appKey(t))
	if err != nil {
		t.Fatal(err)
	}
	for alg, want := range map[Algorithm]string{RSA2: katRSA2, RSA: katRSA} {
		if got, err := s.Sign(alg, []byte(javaExample)); err != nil || got != want {
			t.Errorf("%s %s = %q, %v\nwant %s", SignerName, alg, got, err, want)
		}
	}
}

// TestSignerConcurrent signs from many goroutines at once with one Signer.
func TestSignerConcurrent(t *testing.T) {
	k := appKey(t)
	s, err := NewSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Sign(k, RSA2, []byte(benchValue))
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if got, err := s.Sign(RSA2, []byte(benchValue)); err != nil || got != want {
					errs <- got
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Fatalf("concurrent %s signature %q, want %q", SignerName, got, want)
	}
}

func BenchmarkSignRSA2Signer(b *testing.B) {
	s, err := NewSigner(appKey(b))
	if err != nil {
		b.Fatal(err)
	}
	content := []byte(strings.Repeat("k=v&", 75))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Sign(RSA2, content); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignRSA2SignerParallel(b *testing.B) {
	s, err := NewSigner(appKey(b))
	if err != nil {
		b.Fatal(err)
	}
	content := []byte(strings.Repeat("k=v&", 75))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Sign(RSA2, content); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
