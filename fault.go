package zfb

import (
	"context"
	"errors"
	"fmt"
	"path"
	"time"
)

// Fault effects: how a fault rule answers a matching gateway call.
const (
	// FaultErrorBefore answers a system error and does nothing.
	FaultErrorBefore = "error_before"
	// FaultErrorAfter does the work, commits it, then answers a system
	// error: the money moved and the merchant does not know.
	FaultErrorAfter = "error_after"
	// FaultDelay does the work, commits it, then holds the answer back
	// for DelayMS, so that the merchant's client times out.
	FaultDelay = "delay"
)

// Fault is a rule that makes one app's gateway calls fail on purpose, so
// that merchants can exercise their unknown-result handling.
type Fault struct {
	ID     int64
	AppID  string
	Method string // e.g. alipay.trade.pay
	// OutTradeNo is a path.Match pattern ("" or "*" for any) on the call's
	// merchant numbers: its out_trade_no, or for the fund authorisation
	// calls its out_order_no or out_request_no (any of them matching).
	OutTradeNo string
	Effect     string
	DelayMS    int
	// SubCode of the system error answered: isp.unknow-error (code 20000,
	// the default), or ACQ.SYSTEM_ERROR (trade APIs) or SYSTEM_ERROR (fund
	// authorisation APIs), both code 40004.
	SubCode   string
	CreatedAt time.Time
}

// faultErrors are the system errors a fault rule may answer, by sub_code.
var faultErrors = map[string]*Error{
	ErrUnknown.SubCode:          ErrUnknown,
	ErrTradeSystemError.SubCode: ErrTradeSystemError,
	ErrAuthSystemError.SubCode:  ErrAuthSystemError,
}

// Answer is the error a call that matches f is answered with.
func (f *Fault) Answer() *Error {
	if e, ok := faultErrors[f.SubCode]; ok {
		return e
	}
	return ErrUnknown
}

// Matches reports whether f applies to a call of method whose merchant
// numbers are numbers.
func (f *Fault) Matches(method string, numbers ...string) bool {
	if f.Method != method {
		return false
	}
	if f.OutTradeNo == "" || f.OutTradeNo == "*" {
		return true
	}
	for _, n := range numbers {
		if n == "" {
			continue
		}
		if ok, _ := path.Match(f.OutTradeNo, n); ok {
			return true
		}
	}
	return false
}

// AddFault validates and stores a fault rule for app f.AppID.
func (s *Service) AddFault(ctx context.Context, f *Fault) error {
	switch {
	case f.Method == "":
		return fmt.Errorf("%w: a fault rule needs a method", ErrInvalidFault)
	case f.Effect != FaultErrorBefore && f.Effect != FaultErrorAfter && f.Effect != FaultDelay:
		return fmt.Errorf("%w: effect must be %s, %s or %s", ErrInvalidFault, FaultErrorBefore, FaultErrorAfter, FaultDelay)
	case f.DelayMS < 0 || f.DelayMS > 600_000:
		return fmt.Errorf("%w: delay_ms must be between 0 and 600000", ErrInvalidFault)
	case f.Effect == FaultDelay && f.DelayMS == 0:
		return fmt.Errorf("%w: a delay needs delay_ms", ErrInvalidFault)
	}
	if f.SubCode == "" {
		f.SubCode = ErrUnknown.SubCode
	}
	if _, ok := faultErrors[f.SubCode]; !ok {
		return fmt.Errorf("%w: sub_code must be %s, %s or %s", ErrInvalidFault, ErrUnknown.SubCode, ErrTradeSystemError.SubCode, ErrAuthSystemError.SubCode)
	}
	if _, err := path.Match(f.OutTradeNo, ""); err != nil {
		return fmt.Errorf("%w: out_trade_no is not a valid pattern: %v", ErrInvalidFault, err)
	}
	if _, err := s.store.App(ctx, f.AppID); err != nil {
		return err
	}
	if f.CreatedAt.IsZero() {
		f.CreatedAt = s.Clock.Now()
	}
	return s.store.CreateFault(ctx, f)
}

// ErrInvalidFault refuses a fault rule that cannot be applied.
var ErrInvalidFault = errors.New("invalid fault rule")

// Faults lists an app's fault rules, oldest first.
func (s *Service) Faults(ctx context.Context, appID string) ([]*Fault, error) {
	return s.store.Faults(ctx, appID)
}

// DeleteFault removes one rule of the app (ErrNotFound if it has no such
// rule).
func (s *Service) DeleteFault(ctx context.Context, appID string, id int64) error {
	return s.store.DeleteFault(ctx, appID, id)
}

// DeleteFaults removes every rule of the app.
func (s *Service) DeleteFaults(ctx context.Context, appID string) error {
	return s.store.DeleteFaults(ctx, appID)
}
