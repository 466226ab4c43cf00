package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/zfbpay/zfb"
	"github.com/zfbpay/zfb/sandbox"
)

// addBuyers makes n more paying buyers through zfb's admin API and gives
// their payment codes to s, which then spreads pay, freeze and intlpay over
// them: a real merchant is paid by many buyers, so one buyer paying every
// trade would measure that buyer's balance row, not the merchant's.
func (s *signer) addBuyers(ctx context.Context, f *sandbox.File, n int) error {
	client := &http.Client{Timeout: 30 * time.Second}
	for i := range n {
		// A logon id of its own: the generated one has four digits of the
		// user id, which 64 buyers share now and then.
		body, err := json.Marshal(map[string]string{"behaviour": zfb.BehaviourPays, "balance": "100000.00",
			"logon_id": fmt.Sprintf("zfbload.%s.%d@sandbox.zfb", s.prefix, i)})
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.AdminURL+"/buyers", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+f.AdminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("create a buyer: %w", err)
		}
		answer, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("create a buyer: %w", err)
		}
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("create a buyer: HTTP %d: %.200s", resp.StatusCode, answer)
		}
		var b sandbox.Buyer
		if err := json.Unmarshal(answer, &b); err != nil || b.PaymentCode == "" {
			return fmt.Errorf("create a buyer: no payment code in %.200s", answer)
		}
		s.codes, s.buyerIDs = append(s.codes, b.PaymentCode), append(s.buyerIDs, b.UserID)
	}
	return nil
}

// code is the payment code of the buyer who pays the i-th request.
func (s *signer) code(i int) string { return s.codes[i%len(s.codes)] }
