package intl

import (
	"encoding/json"
	"errors"
)

// object is a JSON object of a request body, member by member. Keys match
// exactly (encoding/json's struct decoding would match them in any case);
// of a repeated key the last counts, as with encoding/json.
type object map[string]json.RawMessage

// errParam is a PARAM_ILLEGAL detail.
type errParam string

func (e errParam) Error() string { return string(e) }

// decodeObject reads raw as an object: nil for absent or null, errParam
// naming path when it is something else.
func decodeObject(raw json.RawMessage, path string) (object, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	var o object
	if raw[0] != '{' || json.Unmarshal(raw, &o) != nil {
		return nil, errParam(path + " must be an object")
	}
	if o == nil { // {} decodes to an empty, non-nil map; keep it so
		o = object{}
	}
	return o, nil
}

// text reads member key as text (see textField): "" when absent or null,
// errParam naming it when it is an object or an array.
func (o object) text(key string) (string, error) {
	return o.textAt(key, key)
}

func (o object) textAt(key, path string) (string, error) {
	f := textField(o[key])
	if f.bad {
		return "", errParam(path + " must be a string")
	}
	return f.value, nil
}

// moneyAt reads member key as Money {"currency","value"}: an absent one is
// zero (the domain refuses its empty currency).
func (o object) moneyAt(key, path string) (money, error) {
	m, err := decodeObject(o[key], path)
	if err != nil {
		return money{}, err
	}
	var v money
	if v.Currency, err = m.textAt("currency", path+".currency"); err != nil {
		return money{}, err
	}
	if v.Value, err = m.textAt("value", path+".value"); err != nil {
		return money{}, err
	}
	return v, nil
}

// fieldReader reads several members, keeping the first error.
type fieldReader struct {
	o   object
	err error
}

func (r *fieldReader) text(key string) string { return r.textAt(r.o, key, key) }

func (r *fieldReader) textAt(o object, key, path string) string {
	if r.err != nil {
		return ""
	}
	s, err := o.textAt(key, path)
	r.err = err
	return s
}

func (r *fieldReader) objectAt(o object, key, path string) object {
	if r.err != nil {
		return nil
	}
	v, err := decodeObject(o[key], path)
	r.err = err
	return v
}

func (r *fieldReader) moneyAt(o object, key, path string) money {
	if r.err != nil {
		return money{}
	}
	v, err := o.moneyAt(key, path)
	r.err = err
	return v
}

// outcome is the PARAM_ILLEGAL of the first error, or nil.
func (r *fieldReader) outcome() *outcome {
	var e errParam
	if errors.As(r.err, &e) {
		return paramIllegal(string(e))
	}
	return nil
}
