package sign

import (
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// The international acquiring dialect (spec/intl-acquiring.md §2, §3): a
// request is {"request":{"head":{…},"body":{…}},"signature":"…"}, a response
// {"response":{…},"signature":"…"}, and the signature is SHA256withRSA
// (RSA2, the default) or SHA1withRSA (RSA) in standard Base64 over the exact
// text of the node's object value, from its '{' to its matching '}'.

// Envelope node names of the intl dialect.
const (
	NodeRequest  = "request"
	NodeResponse = "response"

	fieldSignature = "signature"
	sigMember      = `,"` + fieldSignature + `":`
)

// SignedEnvelope is what ExtractEnvelope finds in an intl envelope.
type SignedEnvelope struct {
	// Value is the exact text of the node's value, an object from its '{'
	// to its matching '}': the bytes that are signed. It aliases the body
	// (its capacity ends with it).
	Value []byte
	// Signature is the top-level "signature", unescaped; "" when absent.
	Signature string
}

// ExtractEnvelope locates the signed value of node ("request" or
// "response") in an intl envelope body, without re-serialising anything
// (spec §3.3: verify the raw bytes as received).
//
// The body must be valid JSON in UTF-8 (the dialect's only charset) whose
// top level is an object. Its members are
// walked in order, so neither key order (the signature may come first,
// Alipay puts "body" before "head"), whitespace anywhere, nor a "request"
// inside some string value matters. node must be a member exactly once, also
// counting keys that only unescape to it (\u0072equest), and its value must
// be an object. "signature", when present, must be a string and occur once.
// Other top-level members are ignored.
func ExtractEnvelope(body []byte, node string) (*SignedEnvelope, error) {
	if node != NodeRequest && node != NodeResponse {
		return nil, fmt.Errorf("sign: envelope node %q: want %q or %q", node, NodeRequest, NodeResponse)
	}
	if !json.Valid(body) {
		return nil, fmt.Errorf("sign: %s envelope is not valid JSON", node)
	}
	if !utf8.Valid(body) { // json.Valid lets invalid UTF-8 in strings pass
		return nil, fmt.Errorf("sign: %s envelope is not valid UTF-8", node)
	}
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, fmt.Errorf("sign: %s envelope is not a JSON object", node)
	}
	e := &SignedEnvelope{}
	var nodes int
	var haveSig bool
	// body is valid JSON, so every member is `"key" ws : ws value ws [, ws]`
	// and the helpers cannot run off its end; the checks below only guard
	// against a bug turning into a panic.
	for i = skipSpace(body, i+1); i < len(body) && body[i] == '"'; {
		keyAt, keyEnd := i, stringEnd(body, i)
		if keyEnd < 0 {
			return nil, fmt.Errorf("sign: %s envelope is not valid JSON", node)
		}
		valAt := skipSpace(body, skipSpace(body, keyEnd)+1) // after ':'
		if i = skipValue(body, valAt); i < 0 {
			return nil, fmt.Errorf("sign: %s envelope is not valid JSON", node)
		}
		key, val := body[keyAt:keyEnd], body[valAt:i:i]
		i = skipSpace(body, i)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
		}

		switch {
		case literalIs(key, node):
			if nodes++; nodes > 1 {
				return nil, fmt.Errorf("sign: duplicate %q in the envelope", node)
			}
			if val[0] != '{' {
				return nil, fmt.Errorf("sign: %q in the envelope is not an object", node)
			}
			e.Value = val
		case literalIs(key, fieldSignature):
			if haveSig {
				return nil, fmt.Errorf("sign: duplicate %q in the %s envelope", fieldSignature, node)
			}
			haveSig = true
			if val[0] != '"' {
				return nil, fmt.Errorf("sign: %q in the %s envelope is not a string", fieldSignature, node)
			}
			s, err := unquote(val)
			if err != nil {
				return nil, fmt.Errorf("sign: %q in the %s envelope: %w", fieldSignature, node, err)
			}
			e.Signature = s
		}
	}
	if nodes == 0 {
		return nil, fmt.Errorf("sign: envelope has no %q member", node)
	}
	return e, nil
}

// EnvelopeJSON returns the compact envelope
//
//	{"<node>":<value>,"signature":"<signature>"}
//
// with value spliced byte for byte (never re-serialised) and node and
// signature written as JSON strings. An empty signature leaves the member
// out, {"<node>":<value>}, as Envelope does; the server uses that for an
// answer it cannot sign (an unknown clientId). The result is built in one
// allocation of exactly its size.
func EnvelopeJSON(node string, value []byte, signature string) []byte {
	nodeLen, sigLen := quotedLen(node), quotedLen(signature)
	size := 1 + nodeLen + 1 + len(value) + 1
	if signature != "" {
		size += len(sigMember) + sigLen
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	b = appendQuoted(b, node, nodeLen)
	b = append(b, ':')
	b = append(b, value...)
	if signature != "" {
		b = append(b, sigMember...)
		b = appendQuoted(b, signature, sigLen)
	}
	return append(b, '}')
}

// SignEnvelopeValue signs the exact text of a request or response value
// with key under alg (RSA2: SHA256withRSA), giving the standard Base64
// "signature". Sign the bytes that will be sent, then splice them with
// EnvelopeJSON.
func SignEnvelopeValue(key *rsa.PrivateKey, alg Algorithm, value []byte) (string, error) {
	return Sign(key, alg, value)
}

// VerifyEnvelope checks e.Signature over e.Value, byte for byte. A missing
// signature gives ErrMissingSign; one that does not verify an error
// wrapping ErrVerification. Unlike VerifyResponse it does not retry with
// `\/` unescaped: nothing in the intl dialect suggests a signer that
// escapes '/' differently from what it sends (UNCONFIRMED).
func VerifyEnvelope(key *rsa.PublicKey, alg Algorithm, e *SignedEnvelope) error {
	if e == nil {
		return errors.New("sign: nil envelope")
	}
	if e.Signature == "" {
		return ErrMissingSign
	}
	return Verify(key, alg, e.Value, e.Signature)
}
