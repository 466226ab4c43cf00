package alipay

// Typed page, wap and app payments (spec/web-and-app-pay.md §2.4). As in
// trade.go, JSON tags are the wire names, amounts and times are the strings
// on the wire, and fields are sent only when set. NotifyURL, ReturnURL and
// AppAuthToken become the common params of the same names. A field these
// structs lack can be sent with PageURL, PageForm or OrderString and a
// Request of your own.

// Product codes of the three flows.
const (
	ProductCodePagePay = "FAST_INSTANT_TRADE_PAY" // alipay.trade.page.pay, the only one it takes
	ProductCodeWapPay  = "QUICK_WAP_WAY"          // alipay.trade.wap.pay
	ProductCodeAppPay  = "QUICK_MSECURITY_PAY"    // alipay.trade.app.pay (Alipay's default)
)

// API names of the three flows.
const (
	MethodTradePagePay = "alipay.trade.page.pay"
	MethodTradeWapPay  = "alipay.trade.wap.pay"
	MethodTradeAppPay  = "alipay.trade.app.pay"
)

// TradePagePay is the request of alipay.trade.page.pay (电脑网站支付): the
// buyer pays on Alipay's PC cashier and comes back to ReturnURL
// (VerifyReturn reads that). ProductCode defaults to ProductCodePagePay.
type TradePagePay struct {
	NotifyURL    string `json:"-"` // notify_url common param
	ReturnURL    string `json:"-"` // return_url common param: where the buyer's browser comes back
	AppAuthToken string `json:"-"` // app_auth_token, when building for an authorising merchant

	OutTradeNo         string            `json:"out_trade_no"`
	TotalAmount        string            `json:"total_amount"` // yuan, "88.88"
	Subject            string            `json:"subject"`
	ProductCode        string            `json:"product_code"`
	Body               string            `json:"body,omitempty"`
	GoodsDetail        []GoodsDetail     `json:"goods_detail,omitempty"`
	TimeExpire         string            `json:"time_expire,omitempty"`      // yyyy-MM-dd HH:mm:ss
	TimeoutExpress     string            `json:"timeout_express,omitempty"`  // 1m–15d, e.g. "30m"
	PassbackParams     string            `json:"passback_params,omitempty"`  // URL-encode it yourself
	QRPayMode          string            `json:"qr_pay_mode,omitempty"`      // "0"–"4": the cashier in an iframe
	QRCodeWidth        int64             `json:"qrcode_width,omitempty"`     // with QRPayMode "4"
	IntegrationType    string            `json:"integration_type,omitempty"` // PCWEB (default) or ALIAPP
	RequestFromURL     string            `json:"request_from_url,omitempty"` // with ALIAPP: where a cancel goes
	GoodsType          string            `json:"goods_type,omitempty"`       // "0" virtual, "1" physical
	MerchantOrderNo    string            `json:"merchant_order_no,omitempty"`
	StoreID            string            `json:"store_id,omitempty"`
	EnablePayChannels  string            `json:"enable_pay_channels,omitempty"`
	DisablePayChannels string            `json:"disable_pay_channels,omitempty"`
	AuthToken          string            `json:"auth_token,omitempty"`
	BusinessParams     string            `json:"business_params,omitempty"` // a JSON object, as a string
	ExtendParams       map[string]string `json:"extend_params,omitempty"`
	QueryOptions       []string          `json:"query_options,omitempty"`
}

// TradeWapPay is the request of alipay.trade.wap.pay (手机网站支付): the
// buyer pays on Alipay's H5 cashier (or in the Alipay app) and comes back to
// ReturnURL; QuitURL is where the cashier's exit sends a buyer who gives up.
// ProductCode defaults to ProductCodeWapPay.
type TradeWapPay struct {
	NotifyURL    string `json:"-"`
	ReturnURL    string `json:"-"`
	AppAuthToken string `json:"-"`

	OutTradeNo         string            `json:"out_trade_no"`
	TotalAmount        string            `json:"total_amount"`
	Subject            string            `json:"subject"`
	ProductCode        string            `json:"product_code"`
	QuitURL            string            `json:"quit_url,omitempty"`
	Body               string            `json:"body,omitempty"`
	GoodsDetail        []GoodsDetail     `json:"goods_detail,omitempty"`
	TimeExpire         string            `json:"time_expire,omitempty"`
	TimeoutExpress     string            `json:"timeout_express,omitempty"`
	PassbackParams     string            `json:"passback_params,omitempty"`
	SellerID           string            `json:"seller_id,omitempty"`
	SpecifiedChannel   string            `json:"specified_channel,omitempty"` // only "pcredit"
	AuthToken          string            `json:"auth_token,omitempty"`
	GoodsType          string            `json:"goods_type,omitempty"`
	MerchantOrderNo    string            `json:"merchant_order_no,omitempty"`
	StoreID            string            `json:"store_id,omitempty"`
	EnablePayChannels  string            `json:"enable_pay_channels,omitempty"`
	DisablePayChannels string            `json:"disable_pay_channels,omitempty"`
	BusinessParams     string            `json:"business_params,omitempty"`
	ExtendParams       map[string]string `json:"extend_params,omitempty"`
}

// TradeAppPay is the request of alipay.trade.app.pay (APP支付): the merchant's
// app hands the order string to the Alipay app. There is no return_url; the
// result comes to the app and, authoritatively, to NotifyURL. ProductCode is
// omitted when empty (Alipay's default is ProductCodeAppPay).
type TradeAppPay struct {
	NotifyURL    string `json:"-"`
	AppAuthToken string `json:"-"`

	OutTradeNo         string            `json:"out_trade_no"`
	TotalAmount        string            `json:"total_amount"`
	Subject            string            `json:"subject"`
	ProductCode        string            `json:"product_code,omitempty"`
	Body               string            `json:"body,omitempty"`
	GoodsDetail        []GoodsDetail     `json:"goods_detail,omitempty"`
	TimeExpire         string            `json:"time_expire,omitempty"`
	TimeoutExpress     string            `json:"timeout_express,omitempty"` // at least 5m for apps
	PassbackParams     string            `json:"passback_params,omitempty"`
	SellerID           string            `json:"seller_id,omitempty"`
	SpecifiedChannel   string            `json:"specified_channel,omitempty"`
	GoodsType          string            `json:"goods_type,omitempty"`
	MerchantOrderNo    string            `json:"merchant_order_no,omitempty"`
	StoreID            string            `json:"store_id,omitempty"`
	EnablePayChannels  string            `json:"enable_pay_channels,omitempty"`
	DisablePayChannels string            `json:"disable_pay_channels,omitempty"`
	BusinessParams     string            `json:"business_params,omitempty"`
	ExtendParams       map[string]string `json:"extend_params,omitempty"`
}

func (p TradePagePay) request() Request {
	if p.ProductCode == "" {
		p.ProductCode = ProductCodePagePay
	}
	return Request{Method: MethodTradePagePay, BizContent: p, NotifyURL: p.NotifyURL, ReturnURL: p.ReturnURL, AppAuthToken: p.AppAuthToken}
}

func (p TradeWapPay) request() Request {
	if p.ProductCode == "" {
		p.ProductCode = ProductCodeWapPay
	}
	return Request{Method: MethodTradeWapPay, BizContent: p, NotifyURL: p.NotifyURL, ReturnURL: p.ReturnURL, AppAuthToken: p.AppAuthToken}
}

// TradePagePayURL builds the GET URL of alipay.trade.page.pay (PageURL).
func (c *Client) TradePagePayURL(p TradePagePay) (string, error) { return c.PageURL(p.request()) }

// TradePagePayForm builds the auto-submitting POST form of
// alipay.trade.page.pay (PageForm).
func (c *Client) TradePagePayForm(p TradePagePay) (string, error) { return c.PageForm(p.request()) }

// TradeWapPayURL builds the GET URL of alipay.trade.wap.pay (PageURL).
func (c *Client) TradeWapPayURL(p TradeWapPay) (string, error) { return c.PageURL(p.request()) }

// TradeWapPayForm builds the auto-submitting POST form of
// alipay.trade.wap.pay (PageForm).
func (c *Client) TradeWapPayForm(p TradeWapPay) (string, error) { return c.PageForm(p.request()) }

// TradeAppPay builds the order string of alipay.trade.app.pay (OrderString)
// for the merchant's app to hand to the Alipay app SDK.
func (c *Client) TradeAppPay(p TradeAppPay) (string, error) {
	return c.OrderString(Request{Method: MethodTradeAppPay, BizContent: p, NotifyURL: p.NotifyURL, AppAuthToken: p.AppAuthToken})
}
