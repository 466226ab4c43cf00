package sqlstore

import (
	"strings"
	"testing"
)

// TestExpiredTradesQueryPlan: on SQLite, ExpiredTrades walks the partial
// index of waiting trades' expiry in order, neither scanning the table nor
// sorting.
func TestExpiredTradesQueryPlan(t *testing.T) {
	s := newSQLiteStore(t)
	rows, err := s.read.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+expiredTradesQuery, "app", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notUsed int
		var detail string
		if err := rows.Scan(&id, &parent, &notUsed, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "USING INDEX trades_app_waiting_expires (app_id=? AND expires_at<?)") || strings.Contains(got, "TEMP B-TREE") {
		t.Errorf("plan: %s", got)
	}
}
