package intl

import (
	"context"
	"time"

	"github.com/zfbpay/zfb"
)

// run applies the first of the app's fault rules that matches the call, as
// gateway.do does, and runs the API. Once started, the work runs to its end
// even if the client hangs up: the merchant learns the outcome by querying.
func (h *Handler) run(ctx context.Context, a api, c *call) *outcome {
	rule, err := h.matchFault(ctx, c)
	if err != nil {
		h.log.ErrorContext(ctx, "intl: reading fault rules", "app_id", c.app.ID, "err", err)
		return unknownException
	}
	work := context.WithoutCancel(ctx)
	if rule == nil {
		return h.do(work, a, c)
	}
	h.log.InfoContext(ctx, "intl: fault rule applied", "app_id", c.app.ID, "function", c.function, "fault_id", rule.ID, "effect", rule.Effect)
	switch rule.Effect {
	case zfb.FaultErrorBefore:
		return unknownException
	case zfb.FaultErrorAfter:
		h.do(work, a, c)
		return unknownException
	default: // zfb.FaultDelay
		out := h.do(work, a, c)
		timer := time.NewTimer(time.Duration(rule.DelayMS) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
		case <-ctx.Done():
		}
		return out
	}
}

// do runs the API, logging an unexpected error once.
func (h *Handler) do(ctx context.Context, a api, c *call) *outcome {
	out, err := a.serve(ctx, c)
	if err == nil {
		return out
	}
	out, expected := errorOutcome(err)
	if !expected {
		h.log.ErrorContext(ctx, "intl: API failed", "function", c.function, "app_id", c.app.ID, "err", err)
	}
	return out
}

// matchFault finds the first of the app's fault rules that matches the
// function and the call's merchantTransId, acquirementId or
// merchantRefundId. Every fault answers UNKNOWN_EXCEPTION (U), whatever
// the rule's sub_code, which names gateway.do codes: seed 001 has no other
// code for a system error (zfb's choice).
func (h *Handler) matchFault(ctx context.Context, c *call) (*zfb.Fault, error) {
	rules, err := h.svc.AppFaults(ctx, c.app)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	trans, _ := c.body.text("merchantTransId") // a field of the wrong shape matches only wildcard rules
	acq, _ := c.body.text("acquirementId")
	refund, _ := c.body.text("merchantRefundId")
	for _, rule := range rules {
		if rule.Matches(c.function, trans, acq, refund) {
			return rule, nil
		}
	}
	return nil, nil
}
