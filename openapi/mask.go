package openapi

import (
	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/internal/mask"
)

// buyerLogonID is the masked logon id of b, as Alipay's answers show it,
// or "" when there is no buyer.
func buyerLogonID(b *zfb.Buyer) string {
	if b == nil {
		return ""
	}
	return mask.LogonID(b.LogonID)
}
