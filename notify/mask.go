package notify

// maskedFields are the notification fields that carry a buyer's logon id,
// which Alipay shows masked, as gateway.do's answers do.
var maskedFields = map[string]bool{"buyer_logon_id": true, "payer_logon_id": true}
