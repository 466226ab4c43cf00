package sign

import (
	"bytes"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Response envelope names (spec §2.1).
const (
	errorNode    = "error_response"
	nodeSuffix   = "_response"
	fieldCertSN  = "alipay_cert_sn"
	certSNMember = `,"` + fieldCertSN + `":`
	signMember   = `,"` + paramSign + `":`
)

// ResponseNode returns the response node name of an API method:
// "alipay.trade.pay" gives "alipay_trade_pay_response", and "" gives
// "error_response".
func ResponseNode(method string) string {
	if method == "" {
		return errorNode
	}
	var b strings.Builder
	b.Grow(len(method) + len(nodeSuffix))
	for i := 0; i < len(method); i++ {
		if c := method[i]; c == '.' {
			b.WriteByte('_')
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteString(nodeSuffix)
	return b.String()
}

// Envelope returns the compact response body
//
//	{"<node>":<value>[,"alipay_cert_sn":"<certSN>"][,"sign":"<signature>"]}
//
// with the node first, the cert SN (only when non-empty) next and the sign
// (only when non-empty) last, the only layout every official SDK accepts
// (spec §2.2). value is spliced byte for byte: a JSON object, or a quoted
// Base64 string when the response is AES-encrypted. node, certSN and
// signature are written as JSON strings, escaped only where JSON requires it
// (never, for node names, hex SNs and Base64). The result is built in one
// allocation of exactly its size.
func Envelope(node string, value []byte, certSN, signature string) []byte {
	nodeLen, snLen, sigLen := quotedLen(node), quotedLen(certSN), quotedLen(signature)
	size := 1 + nodeLen + 1 + len(value) + 1
	if certSN != "" {
		size += len(certSNMember) + snLen
	}
	if signature != "" {
		size += len(signMember) + sigLen
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	b = appendQuoted(b, node, nodeLen)
	b = append(b, ':')
	b = append(b, value...)
	if certSN != "" {
		b = append(b, certSNMember...)
		b = appendQuoted(b, certSN, snLen)
	}
	if signature != "" {
		b = append(b, signMember...)
		b = appendQuoted(b, signature, sigLen)
	}
	return append(b, '}')
}

// escapedLen is the length of byte c inside a JSON string literal: `\"`,
// `\\`, `\u00XX` for control characters, else the byte itself. Bytes >= 0x80
// are kept as they are, so text in any ASCII-compatible charset passes
// through.
func escapedLen(c byte) int {
	switch {
	case c == '"' || c == '\\':
		return 2
	case c < 0x20:
		return 6
	}
	return 1
}

// quotedLen is the length of s as a JSON string literal.
func quotedLen(s string) int {
	n := 2 + len(s)
	for i := 0; i < len(s); i++ {
		n += escapedLen(s[i]) - 1
	}
	return n
}

// appendQuoted appends s as a JSON string literal of length quoted, which
// is quotedLen(s).
func appendQuoted(b []byte, s string, quoted int) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	if quoted == len(s)+2 { // nothing to escape: the usual case
		b = append(b, s...)
		return append(b, '"')
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; escapedLen(c) {
		case 1:
			b = append(b, c)
		case 2:
			b = append(b, '\\', c)
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
	}
	return append(b, '"')
}

// SignedResponse is what a client extracts from a response body.
type SignedResponse struct {
	Node   string // the node found: the method's, or "error_response"
	Value  []byte // the exact bytes that were signed: from '{' to its matching '}', or a quoted string including both quotes
	Sign   string // the top-level "sign" value, "" when absent
	CertSN string // the top-level "alipay_cert_sn", "" when absent
}

// ExtractResponse locates the signed node value in a response body the way
// the Alipay Java SDK does (JsonConverter, AlipaySignature.extractSignContent):
// it finds the first quoted key "<node>" (else "error_response"), skips the
// ':' and whitespace to the value, which must start with '{' or '"', and
// brace-matches it, aware of JSON strings and backslash escapes (a '"' value
// is taken through its closing quote). It is an error if the node name occurs
// again after the value (the Java SDK's duplicate-node check, which also
// matches the bare name), if no node is found, or if braces never balance.
//
// Beyond the Java SDK, the body must be valid JSON whose top level is an
// object, the located key must be a top-level member, and no other top-level
// key may unescape to the node name, "sign" or "alipay_cert_sn"; so the bytes
// verified are always the ones a JSON decoder of the whole body reads.
// "sign" and "alipay_cert_sn" are read from the top level and unescaped; they
// must be strings when present.
//
// An empty node means "error_response". Value aliases body (its capacity
// ends with it). Body is scanned as bytes of an ASCII-compatible charset. In
// GBK the second byte of a character may be 0x5C, a backslash, which would
// upset the string scanning; a client should transcode a GBK body to UTF-8
// first and re-encode Value to GBK before verifying it, which is what the
// Java SDK does.
func ExtractResponse(body []byte, node string) (*SignedResponse, error) {
	if node == "" {
		node = errorNode
	}
	name, at := node, findKey(body, node)
	if at < 0 && node != errorNode {
		name, at = errorNode, findKey(body, errorNode)
	}
	if at < 0 {
		if node == errorNode {
			return nil, fmt.Errorf("sign: response has no %q node", errorNode)
		}
		return nil, fmt.Errorf("sign: response has neither a %q nor an %q node", node, errorNode)
	}
	start := skipSpace(body, at+len(name)+2)
	if start >= len(body) || body[start] != ':' {
		return nil, fmt.Errorf("sign: %q is not followed by ':'", name)
	}
	start = skipSpace(body, start+1)
	end, err := valueEnd(body, start)
	if err != nil {
		return nil, fmt.Errorf("sign: %q value: %w", name, err)
	}
	if bytes.Contains(body[end:], []byte(name)) {
		return nil, fmt.Errorf("sign: duplicate %q in the response after its value", name)
	}
	if !json.Valid(body) {
		return nil, errors.New("sign: response is not valid JSON")
	}
	r := &SignedResponse{Node: name, Value: body[start:end:end]}
	if err := r.readTopLevel(body, at); err != nil {
		return nil, err
	}
	return r, nil
}

// findKey returns the index of the first occurrence of name in quotes, that
// is of `"name"`, pointing at the opening quote, or -1.
func findKey(body []byte, name string) int {
	if name == "" {
		return -1
	}
	for from := 1; from < len(body); {
		i := bytes.Index(body[from:], []byte(name))
		if i < 0 {
			return -1
		}
		i += from
		if end := i + len(name); body[i-1] == '"' && end < len(body) && body[end] == '"' {
			return i - 1
		}
		from = i + 1
	}
	return -1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the end of the node value starting at b[start], which
// must be an object or a string.
func valueEnd(b []byte, start int) (int, error) {
	if start >= len(b) {
		return 0, errors.New("missing")
	}
	if c := b[start]; c != '{' && c != '"' {
		return 0, fmt.Errorf("starts with %q, not '{' or '\"'", c)
	}
	end := skipValue(b, start)
	if end < 0 {
		return 0, errors.New("braces or quotes never balance")
	}
	return end, nil
}

// skipValue returns the index after the JSON value starting at b[i], or -1
// when a string or a container never closes. Containers are matched by
// counting brackets outside string literals; scalars end at the next
// delimiter. Only the brackets are checked, not the grammar.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				if i = stringEnd(b, i); i < 0 {
					return -1
				}
				i-- // the loop increments
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	}
	for ; i < len(b); i++ { // number, true, false or null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}

// stringEnd returns the index after the closing quote of the JSON string
// literal opening at b[start], honouring backslash escapes, or -1.
func stringEnd(b []byte, start int) int {
	for i := start + 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// readTopLevel walks the members of the top-level object of body, which must
// be valid JSON, checks that the node key at offset at is one of them and
// the only one named r.Node once unescaped, and reads "sign" and
// "alipay_cert_sn".
func (r *SignedResponse) readTopLevel(body []byte, at int) error {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return errors.New("sign: response is not a JSON object")
	}
	var nodes int
	var atTop, haveSign, haveCertSN bool
	for i = skipSpace(body, i+1); i < len(body) && body[i] == '"'; {
		keyAt, keyEnd := i, stringEnd(body, i)
		if keyEnd < 0 {
			return errors.New("sign: response is not valid JSON")
		}
		valAt := skipSpace(body, skipSpace(body, keyEnd)+1) // after ':'
		if i = skipValue(body, valAt); i < 0 {
			return errors.New("sign: response is not valid JSON")
		}
		key, val := body[keyAt:keyEnd], body[valAt:i]
		i = skipSpace(body, i)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
		}

		var err error
		switch {
		case literalIs(key, r.Node):
			nodes++
			atTop = atTop || keyAt == at
		case literalIs(key, paramSign):
			r.Sign, err = topLevelString(val, paramSign, &haveSign)
		case literalIs(key, fieldCertSN):
			r.CertSN, err = topLevelString(val, fieldCertSN, &haveCertSN)
		}
		if err != nil {
			return err
		}
	}
	if !atTop {
		return fmt.Errorf("sign: the first %q is not a top-level member of the response", r.Node)
	}
	if nodes > 1 {
		return fmt.Errorf("sign: duplicate %q in the response (escaped)", r.Node)
	}
	return nil
}

// literalIs reports whether the JSON string literal lit (with its quotes)
// decodes to s.
func literalIs(lit []byte, s string) bool {
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == s
	}
	u, err := unquote(lit)
	return err == nil && u == s
}

// topLevelString decodes the value of a top-level string member, which may
// occur once.
func topLevelString(val []byte, name string, seen *bool) (string, error) {
	if *seen {
		return "", fmt.Errorf("sign: duplicate %q in the response", name)
	}
	*seen = true
	if len(val) == 0 || val[0] != '"' {
		return "", fmt.Errorf("sign: %q in the response is not a string", name)
	}
	s, err := unquote(val)
	if err != nil {
		return "", fmt.Errorf("sign: %q in the response: %w", name, err)
	}
	return s, nil
}

// unquote decodes a JSON string literal.
func unquote(lit []byte) (string, error) {
	inner := lit[1 : len(lit)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), nil
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
}

// VerifyResponse extracts the signed node value of body (ExtractResponse)
// and verifies its sign with key and alg. If that fails and the value
// contains `\/`, it retries once with every `\/` replaced by "/", as the Java
// SDK does. A missing sign gives ErrMissingSign; a sign that does not verify
// gives an error wrapping ErrVerification. The extracted response is
// returned along with a verification error, so that a caller may still read
// an unsigned error response; it is nil only when extraction failed.
func VerifyResponse(key *rsa.PublicKey, alg Algorithm, body []byte, node string) (*SignedResponse, error) {
	r, err := ExtractResponse(body, node)
	if err != nil {
		return nil, err
	}
	if r.Sign == "" {
		return r, fmt.Errorf("%w (%s)", ErrMissingSign, r.Node)
	}
	err = Verify(key, alg, r.Value, r.Sign)
	if err != nil && errors.Is(err, ErrVerification) && bytes.Contains(r.Value, []byte(`\/`)) {
		if Verify(key, alg, bytes.ReplaceAll(r.Value, []byte(`\/`), []byte("/")), r.Sign) == nil {
			return r, nil
		}
	}
	return r, err
}
