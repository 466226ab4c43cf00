package notify

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestRefuse(t *testing.T) {
	plain := &client{}
	strict := &client{
		allow: masked([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8")}),
		deny:  masked([]netip.Prefix{netip.MustParsePrefix("10.9.0.0/16"), netip.MustParsePrefix("::ffff:127.0.0.2/128")}),
	}
	for _, tc := range []struct {
		c      *client
		addr   string
		refuse string // a part of the reason; "" when allowed
	}{
		{plain, "127.0.0.1", ""},
		{plain, "::1", ""},
		{plain, "10.1.2.3", ""},
		{plain, "192.168.1.1", ""},
		{plain, "172.16.0.1", ""},
		{plain, "8.8.8.8", ""},
		{plain, "100.64.0.1", ""},
		{plain, "169.254.169.254", "metadata"},
		{plain, "::ffff:169.254.169.254", "metadata"},
		{plain, "64:ff9b::a9fe:a9fe", "NAT64"},
		{plain, "fd00:ec2::254", "metadata"},
		{plain, "100.100.100.200", "metadata"},
		{plain, "169.254.1.1", "link-local"},
		{plain, "fe80::1", "link-local"},
		{plain, "fe80::1%eth0", "link-local"},
		{plain, "0.0.0.0", "unspecified"},
		{plain, "::", "unspecified"},
		{strict, "10.1.2.3", ""},
		{strict, "127.0.0.1", ""},
		{strict, "::ffff:127.0.0.1", ""},
		{strict, "10.9.1.1", "denied"},
		{strict, "127.0.0.2", "denied"},
		{strict, "192.168.1.1", "not in the allowed"},
		{strict, "::1", "not in the allowed"},
		{strict, "169.254.169.254", "metadata"},
	} {
		got := tc.c.refuse(netip.MustParseAddr(tc.addr))
		if (got == "") != (tc.refuse == "") || !strings.Contains(got, tc.refuse) {
			t.Errorf("refuse(%s) = %q, want %q", tc.addr, got, tc.refuse)
		}
	}
}

func TestControl(t *testing.T) {
	c := &client{}
	if err := c.control("tcp4", "127.0.0.1:80", nil); err != nil {
		t.Errorf("loopback: %v", err)
	}
	err := c.control("tcp4", "169.254.169.254:80", nil)
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Addr != netip.MustParseAddr("169.254.169.254") {
		t.Errorf("metadata: %v", err)
	}
	if err := c.control("tcp6", "[fe80::1%lo]:80", nil); !errors.As(err, &refused) {
		t.Errorf("link-local with a zone: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/notify", "https://merchant.example/n?x=1", "HTTP://example.com/"} {
		if err := checkURL(u); err != nil {
			t.Errorf("checkURL(%q): %v", u, err)
		}
	}
	for _, u := range []string{"ftp://example.com/", "file:///etc/passwd", "gopher://x", "/relative", "http:///nohost", "", "javascript:alert(1)", "http://[::1"} {
		var refused *RefusedError
		if err := checkURL(u); !errors.As(err, &refused) {
			t.Errorf("checkURL(%q) = %v, want a RefusedError", u, err)
		}
	}
}

func TestClean(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"success", 256, "success"},
		{"a\x00b", 256, "ab"},
		{"a\xffb", 256, "a\uFFFDb"},
		{"ab支付宝", 4, "ab"},
		{"ab支付宝", 5, "ab支"},
		{strings.Repeat("x", 300), 256, strings.Repeat("x", 256)},
	} {
		if got := clean(tc.in, tc.n); got != tc.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}
