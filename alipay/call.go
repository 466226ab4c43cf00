package alipay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// call makes one typed call: biz becomes biz_content, and the verified
// response node is decoded into a T. An answer with an error code is
// decoded too and returned beside its *Error, because business errors carry
// business fields (a failed cancel's retry_flag, a failed refund's
// refund_fee: spec/openapi.md §2.3); every other failure returns a nil T.
func call[T any](ctx context.Context, c *Client, method string, biz any, notifyURL, appAuthToken string) (*T, error) {
	var raw json.RawMessage
	err := c.Do(ctx, Request{Method: method, BizContent: biz, NotifyURL: notifyURL, AppAuthToken: appAuthToken}, &raw)
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) && len(ae.Body) > 0 {
			r := new(T)
			if decodeLenient(ae.Body, r) == nil {
				return r, err
			}
		}
		return nil, err
	}
	r := new(T)
	if err := decodeLenient(raw, r); err != nil {
		return nil, fmt.Errorf("alipay: %s: decoding response: %w", method, err)
	}
	return r, nil
}

// decodeLenient unmarshals a response node into out, whose fields are
// strings. Alipay sends amounts as strings, but should a number turn up
// where a string field waits (Java's SDK takes it too, spec/openapi.md
// §2.1), it is decoded as its literal text: 200.1 → "200.1". That costs a
// second pass only in that case.
func decodeLenient(raw []byte, out any) error {
	err := json.Unmarshal(raw, out)
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Value != "number" || te.Type == nil || te.Type.Kind() != reflect.String {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return err
	}
	fixed, merr := json.Marshal(numbersToStrings(v))
	if merr != nil {
		return err
	}
	// Start from the zero value, not from what the first pass left.
	rv := reflect.ValueOf(out).Elem()
	rv.SetZero()
	if json.Unmarshal(fixed, out) != nil {
		return err
	}
	return nil
}

// numbersToStrings replaces every json.Number in v by its text.
func numbersToStrings(v any) any {
	switch v := v.(type) {
	case json.Number:
		return string(v)
	case map[string]any:
		for k, e := range v {
			v[k] = numbersToStrings(e)
		}
	case []any:
		for i, e := range v {
			v[i] = numbersToStrings(e)
		}
	}
	return v
}
