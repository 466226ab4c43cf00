package openapi

import (
	"strconv"

	"github.com/zfbpay/zfb"
)

// page.pay's qr_pay_mode (spec web-and-app-pay.md §2.4): "" (none) and 2
// are the cashier Alipay hosts; 0, 1, 3 and 4 are "前置" modes, where the
// merchant loads the gateway URL in an iframe of its own page and the
// cashier shows an order QR code sized for it (4: qrcode_width pixels
// wide). wap.pay and app.pay have no such field.

// DefaultQRCodeWidth is the QR code's width in mode 4 without qrcode_width.
const DefaultQRCodeWidth = 200

// maxQRCodeWidth bounds qrcode_width: wider is refused.
const maxQRCodeWidth = 1024

// qrPayMode checks page.pay's qr_pay_mode and qrcode_width and returns the
// mode and, for mode 4, the width. A value outside the documented modes,
// or a width that is no positive whole number of pixels up to
// maxQRCodeWidth, is ACQ.INVALID_PARAMETER, shown on the error page.
func qrPayMode(mode, width string) (string, int, error) {
	switch mode {
	case "", "0", "1", "2", "3":
		return mode, 0, nil
	case "4":
		if width == "" {
			return mode, DefaultQRCodeWidth, nil
		}
		w, err := strconv.Atoi(width)
		if err != nil || w < 1 || w > maxQRCodeWidth {
			return "", 0, zfb.InvalidTradeParameter("qrcode_width 须为 1 至 " + strconv.Itoa(maxQRCodeWidth) + " 的整数")
		}
		return mode, w, nil
	}
	return "", 0, zfb.InvalidTradeParameter("qr_pay_mode 只能为 0、1、2、3、4")
}
