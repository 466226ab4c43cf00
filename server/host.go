package server

import (
	"fmt"
	"net"
	"net/http"
	"strings"
)

// hostAllowList answers a request only when its Host header names this
// server, which defeats DNS rebinding: a web page whose name an attacker
// re-points at 127.0.0.1 reaches zfb with that name in Host, and is
// refused with 421 Misdirected Request. A rebinding attack needs a name
// the attacker controls, so the loopback names and literals are always
// allowed.
type hostAllowList struct {
	any     bool
	exact   map[string]bool
	domains []string // ".example.com": the domain and its subdomains
	next    http.Handler
}

// checkHost wraps next in the Host allow-list: the loopback names
// (localhost and every loopback IP literal), the host of listenAddr (as
// bound: when it is a wildcard such as [::], that literal, the one the
// printed URLs carry) and allowed, whose entries may carry a port (it is
// ignored), may be ".example.com" for a domain and its subdomains, or "*"
// for any host. A request without Host (HTTP/1.0) passes, and so does
// GET /healthz, whose answer says nothing: orchestrators probe it by IP.
func checkHost(next http.Handler, listenAddr string, allowed []string) http.Handler {
	l := &hostAllowList{exact: map[string]bool{"localhost": true}, next: next}
	if listenAddr != "" {
		if h := normalizeHost(listenAddr); h != "" {
			l.exact[h] = true
		}
	}
	for _, a := range allowed {
		a = strings.TrimSpace(a)
		switch {
		case a == "":
		case a == "*":
			l.any = true
		case strings.HasPrefix(a, "."):
			l.domains = append(l.domains, normalizeHost(a[1:]))
		default:
			l.exact[normalizeHost(a)] = true
		}
	}
	return l
}

func (l *hostAllowList) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if l.any || r.Host == "" || l.allows(normalizeHost(r.Host)) || (r.URL.Path == "/healthz" && (r.Method == http.MethodGet || r.Method == http.MethodHead)) {
		l.next.ServeHTTP(w, r)
		return
	}
	host := normalizeHost(r.Host)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusMisdirectedRequest)
	fmt.Fprintf(w, "421 Misdirected Request: zfb does not answer to the host %q.\n"+
		"It answers to loopback names (localhost, 127.0.0.1, [::1]) and the host it listens on; "+
		"to allow another name, start it with --allowed-hosts %s (or ZFB_ALLOWED_HOSTS).\n", host, host)
}

func (l *hostAllowList) allows(host string) bool {
	if l.exact[host] {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, d := range l.domains {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// normalizeHost reduces a Host header or an address to the name alone:
// the port and IPv6 brackets stripped, lower case, no trailing dot.
// "[::1]:8650", "[::1]" and "::1" all become "::1".
func normalizeHost(h string) string {
	h = strings.TrimSpace(h)
	if strings.HasPrefix(h, "[") {
		if end := strings.IndexByte(h, ']'); end > 0 {
			h = h[1:end]
		}
	} else if strings.Count(h, ":") == 1 {
		h = h[:strings.IndexByte(h, ':')]
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}
