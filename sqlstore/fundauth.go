package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/zfbpay/zfb"
)

const authOrderColumns = `auth_no, app_id, out_order_no, kind, status, payee_user_id, payer_user_id,
	order_title, product_code, extra_param,
	total_freeze_amount, total_unfreeze_amount, total_pay_amount,
	fingerprint, code_value, notify_url, expires_at, created_at, closed_at, version, agent_app_id`

// CreateAuthOrder stores o with Version 1, and sets o.Version once it is
// stored. The app's out_order_no or the auth_no already taken is
// zfb.ErrConflict; an app that does not exist is zfb.ErrNotFound. A zero
// ExpiresAt or ClosedAt is stored as NULL.
func (q *queries) CreateAuthOrder(ctx context.Context, o *zfb.AuthOrder) error {
	_, err := q.insertAuthOrder(ctx, o, "")
	return err
}

// CreateAuthOrderIfNew stores o as CreateAuthOrder does, unless the app
// already has its out_order_no: then it stores nothing and returns that
// order, and the transaction goes on (ON CONFLICT DO NOTHING: PostgreSQL
// aborts a transaction at a unique violation).
func (q *queries) CreateAuthOrderIfNew(ctx context.Context, o *zfb.AuthOrder) (*zfb.AuthOrder, error) {
	inserted, err := q.insertAuthOrder(ctx, o, " ON CONFLICT (app_id, out_order_no) DO NOTHING")
	if err != nil || inserted {
		return nil, err
	}
	existing, err := q.AuthOrderByOutOrderNo(ctx, o.AppID, o.OutOrderNo)
	if err != nil {
		return nil, fmt.Errorf("create fund auth order %q: %w", o.AuthNo, err)
	}
	return existing, nil
}

// insertAuthOrder inserts o, the INSERT ending with onConflict, and
// reports whether it stored a row.
func (q *queries) insertAuthOrder(ctx context.Context, o *zfb.AuthOrder, onConflict string) (bool, error) {
	if o.AuthNo == "" || o.AppID == "" || o.OutOrderNo == "" {
		return false, fmt.Errorf("create fund auth order %q: an order needs an auth_no, an app id and an out_order_no", o.AuthNo)
	}
	res, err := q.write.ExecContext(ctx, `INSERT INTO fund_auth_orders (`+authOrderColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1, $20)`+onConflict,
		o.AuthNo, o.AppID, o.OutOrderNo, o.Kind, string(o.Status), o.PayeeUserID, o.PayerUserID,
		o.OrderTitle, o.ProductCode, o.ExtraParam,
		o.TotalFreezeAmount, o.TotalUnfreezeAmount, o.TotalPayAmount,
		o.Fingerprint, o.CodeValue, o.NotifyURL,
		microsOrNull(o.ExpiresAt), micros(o.CreatedAt), microsOrNull(o.ClosedAt), o.AgentAppID)
	if err != nil {
		return false, fmt.Errorf("create fund auth order %q (out_order_no %q of app %q): %w", o.AuthNo, o.OutOrderNo, o.AppID, classify(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return false, fmt.Errorf("create fund auth order %q: %w", o.AuthNo, err)
	} else if n == 0 {
		return false, nil
	}
	o.Version = 1
	return true, nil
}

// AuthOrder reads an authorisation order by auth_no.
func (q *queries) AuthOrder(ctx context.Context, authNo string) (*zfb.AuthOrder, error) {
	o, err := scanAuthOrder(q.read.QueryRowContext(ctx, `SELECT `+authOrderColumns+` FROM fund_auth_orders
		WHERE auth_no = $1`, authNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("fund auth order %q: %w", authNo, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("fund auth order %q: %w", authNo, err)
	}
	return o, nil
}

// AuthOrderByOutOrderNo reads the authorisation order of an app by its
// out_order_no.
func (q *queries) AuthOrderByOutOrderNo(ctx context.Context, appID, outOrderNo string) (*zfb.AuthOrder, error) {
	o, err := scanAuthOrder(q.read.QueryRowContext(ctx, `SELECT `+authOrderColumns+` FROM fund_auth_orders
		WHERE app_id = $1 AND out_order_no = $2`, appID, outOrderNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("fund auth order with out_order_no %q of app %q: %w", outOrderNo, appID, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("fund auth order with out_order_no %q of app %q: %w", outOrderNo, appID, err)
	}
	return o, nil
}

// AuthOrders lists an app's authorisation orders, newest (latest
// created_at) first, by auth_no descending among orders made at the same
// time, at most limit of them: none when limit is below 1, and none for an
// app that does not exist. The tombstones of cancelled out_order_nos
// (zfb.AuthKindCancelled) are no orders and are left out.
func (q *queries) AuthOrders(ctx context.Context, appID string, limit int) ([]*zfb.AuthOrder, error) {
	if limit < 1 {
		return nil, nil
	}
	rows, err := q.read.QueryContext(ctx, `SELECT `+authOrderColumns+` FROM fund_auth_orders
		WHERE app_id = $1 AND kind <> $3 ORDER BY created_at DESC, auth_no DESC LIMIT $2`, appID, limit, zfb.AuthKindCancelled)
	if err != nil {
		return nil, fmt.Errorf("fund auth orders of app %q: %w", appID, err)
	}
	defer rows.Close()
	var orders []*zfb.AuthOrder
	for rows.Next() {
		o, err := scanAuthOrder(rows)
		if err != nil {
			return nil, fmt.Errorf("fund auth orders of app %q: %w", appID, err)
		}
		orders = append(orders, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fund auth orders of app %q: %w", appID, err)
	}
	return orders, nil
}

func scanAuthOrder(r scanner) (*zfb.AuthOrder, error) {
	var row authOrderRow
	if err := r.Scan(row.dest()...); err != nil {
		return nil, err
	}
	return row.order(), nil
}

// authOrderRow receives authOrderColumns.
type authOrderRow struct {
	o                  zfb.AuthOrder
	status             string
	createdUS          int64
	expiresUS, closeUS sql.NullInt64
}

func (r *authOrderRow) dest() []any {
	o := &r.o
	return []any{&o.AuthNo, &o.AppID, &o.OutOrderNo, &o.Kind, &r.status, &o.PayeeUserID, &o.PayerUserID,
		&o.OrderTitle, &o.ProductCode, &o.ExtraParam,
		&o.TotalFreezeAmount, &o.TotalUnfreezeAmount, &o.TotalPayAmount,
		&o.Fingerprint, &o.CodeValue, &o.NotifyURL, &r.expiresUS, &r.createdUS, &r.closeUS, &o.Version, &o.AgentAppID}
}

// order is the order received; it shares r's memory.
func (r *authOrderRow) order() *zfb.AuthOrder {
	o := &r.o
	o.Status = zfb.AuthOrderStatus(r.status)
	o.ExpiresAt = fromMicrosOrZero(r.expiresUS)
	o.CreatedAt = fromMicros(r.createdUS)
	o.ClosedAt = fromMicrosOrZero(r.closeUS)
	return o
}

// UpdateAuthOrder writes o's fields over the stored order if the stored
// version is still o.Version, raising the version by one, and then
// increments o.Version. It writes the status, the payer, the three totals,
// the code value, the notify_url and the expiry and closing times; the
// fields fixed when the order was made (auth_no, app id, out_order_no,
// kind, payee, order title, product code, extra_param, fingerprint and
// creation time) stay as they are whatever o says.
//
// As with UpdateTrade, the version check and the write are one conditional
// UPDATE: of several commands that read one version, one writes and the
// others get zfb.ErrStale, with nothing written. An order that does not
// exist is zfb.ErrNotFound. Totals the schema refuses (a negative one, or
// more unfrozen and paid than frozen) are a plain error.
func (q *queries) UpdateAuthOrder(ctx context.Context, o *zfb.AuthOrder) error {
	res, err := q.write.ExecContext(ctx, `UPDATE fund_auth_orders SET
			status = $3, payer_user_id = $4,
			total_freeze_amount = $5, total_unfreeze_amount = $6, total_pay_amount = $7,
			code_value = $8, notify_url = $9, expires_at = $10, closed_at = $11,
			version = version + 1
		WHERE auth_no = $1 AND version = $2`,
		o.AuthNo, o.Version,
		string(o.Status), o.PayerUserID,
		o.TotalFreezeAmount, o.TotalUnfreezeAmount, o.TotalPayAmount,
		o.CodeValue, o.NotifyURL, microsOrNull(o.ExpiresAt), microsOrNull(o.ClosedAt))
	if err != nil {
		return fmt.Errorf("update fund auth order %q: %w", o.AuthNo, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update fund auth order %q: %w", o.AuthNo, err)
	}
	if n == 1 {
		o.Version++
		return nil
	}
	// No row: either no such order, or it is at another version.
	var exists bool
	err = q.write.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM fund_auth_orders WHERE auth_no = $1)`, o.AuthNo).Scan(&exists)
	if err != nil {
		return fmt.Errorf("update fund auth order %q: %w", o.AuthNo, err)
	}
	if !exists {
		return fmt.Errorf("update fund auth order %q: %w", o.AuthNo, zfb.ErrNotFound)
	}
	return fmt.Errorf("update fund auth order %q at version %d: %w", o.AuthNo, o.Version, zfb.ErrStale)
}

const authOperationColumns = `operation_id, auth_no, out_request_no, type, status, amount,
	remark, trade_no, cancel_action, created_at, trans_at, closed_at`

// CreateAuthOperation stores op. The order's out_request_no already taken
// for an operation of op's type, or the operation_id already taken, is
// zfb.ErrConflict; an order that does not exist is zfb.ErrNotFound. A zero
// TransAt or ClosedAt is stored as NULL.
func (q *queries) CreateAuthOperation(ctx context.Context, op *zfb.AuthOperation) error {
	if op.OperationID == "" || op.AuthNo == "" || op.OutRequestNo == "" || op.Type == "" {
		return fmt.Errorf("create fund auth operation %q: an operation needs an operation_id, an auth_no, an out_request_no and a type", op.OperationID)
	}
	_, err := q.write.ExecContext(ctx, `INSERT INTO fund_auth_operations (`+authOperationColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		op.OperationID, op.AuthNo, op.OutRequestNo, string(op.Type), string(op.Status), op.Amount,
		op.Remark, op.TradeNo, op.CancelAction,
		micros(op.CreatedAt), microsOrNull(op.TransAt), microsOrNull(op.ClosedAt))
	if err != nil {
		return fmt.Errorf("create fund auth operation %q (%s %q of order %q): %w",
			op.OperationID, op.Type, op.OutRequestNo, op.AuthNo, classify(err))
	}
	return nil
}

// AuthOperation reads a fund operation by operation_id.
func (q *queries) AuthOperation(ctx context.Context, operationID string) (*zfb.AuthOperation, error) {
	op, err := scanAuthOperation(q.read.QueryRowContext(ctx, `SELECT `+authOperationColumns+` FROM fund_auth_operations
		WHERE operation_id = $1`, operationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("fund auth operation %q: %w", operationID, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("fund auth operation %q: %w", operationID, err)
	}
	return op, nil
}

// AuthOperationByOutRequestNo reads the operation of type typ of an order
// by its out_request_no.
func (q *queries) AuthOperationByOutRequestNo(ctx context.Context, authNo string, typ zfb.AuthOperationType, outRequestNo string) (*zfb.AuthOperation, error) {
	op, err := scanAuthOperation(q.read.QueryRowContext(ctx, `SELECT `+authOperationColumns+` FROM fund_auth_operations
		WHERE auth_no = $1 AND type = $2 AND out_request_no = $3`, authNo, string(typ), outRequestNo))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("fund auth operation %s %q of order %q: %w", typ, outRequestNo, authNo, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("fund auth operation %s %q of order %q: %w", typ, outRequestNo, authNo, err)
	}
	return op, nil
}

// AuthOperations lists an order's operations, oldest first; among
// operations made at the same time (a payment with auth_confirm_mode
// COMPLETE and the release of the rest) FREEZE, then PAY, then UNFREEZE,
// then by operation_id. None for an order that does not exist.
func (q *queries) AuthOperations(ctx context.Context, authNo string) ([]*zfb.AuthOperation, error) {
	rows, err := q.read.QueryContext(ctx, `SELECT `+authOperationColumns+` FROM fund_auth_operations
		WHERE auth_no = $1
		ORDER BY created_at, CASE type WHEN 'FREEZE' THEN 0 WHEN 'PAY' THEN 1 ELSE 2 END, operation_id`, authNo)
	if err != nil {
		return nil, fmt.Errorf("fund auth operations of order %q: %w", authNo, err)
	}
	defer rows.Close()
	var ops []*zfb.AuthOperation
	for rows.Next() {
		op, err := scanAuthOperation(rows)
		if err != nil {
			return nil, fmt.Errorf("fund auth operations of order %q: %w", authNo, err)
		}
		ops = append(ops, op)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fund auth operations of order %q: %w", authNo, err)
	}
	return ops, nil
}

func scanAuthOperation(r scanner) (*zfb.AuthOperation, error) {
	var row authOperationRow
	if err := r.Scan(row.dest()...); err != nil {
		return nil, err
	}
	return row.operation(), nil
}

// authOperationRow receives authOperationColumns.
type authOperationRow struct {
	op                zfb.AuthOperation
	typ, status       string
	createdUS         int64
	transUS, closedUS sql.NullInt64
}

func (r *authOperationRow) dest() []any {
	op := &r.op
	return []any{&op.OperationID, &op.AuthNo, &op.OutRequestNo, &r.typ, &r.status, &op.Amount,
		&op.Remark, &op.TradeNo, &op.CancelAction, &r.createdUS, &r.transUS, &r.closedUS}
}

// operation is the operation received; it shares r's memory.
func (r *authOperationRow) operation() *zfb.AuthOperation {
	op := &r.op
	op.Type = zfb.AuthOperationType(r.typ)
	op.Status = zfb.AuthOperationStatus(r.status)
	op.CreatedAt = fromMicros(r.createdUS)
	op.TransAt = fromMicrosOrZero(r.transUS)
	op.ClosedAt = fromMicrosOrZero(r.closedUS)
	return op
}

// orderOperationColumns are authOrderColumns of the order o, then
// authOperationColumns of the operation op.
var orderOperationColumns = qualified("o", authOrderColumns) + ", " + qualified("op", authOperationColumns)

// qualified prefixes each of the comma-separated columns with table.
func qualified(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// AuthOrderOperation reads an order and one of its operations in one
// statement (see zfb.AuthOperationRef for how ref names them).
func (q *queries) AuthOrderOperation(ctx context.Context, ref zfb.AuthOperationRef) (*zfb.AuthOrder, *zfb.AuthOperation, error) {
	var variant orderOperationVariant
	args := make([]any, 0, 4)
	if ref.AuthNo != "" {
		args = append(args, ref.AuthNo)
	} else {
		variant |= byOutOrderNo
		args = append(args, ref.AppID, ref.OutOrderNo)
	}
	if ref.OperationID != "" {
		args = append(args, ref.OperationID)
	} else {
		variant |= byOutRequestNo
		args = append(args, ref.OutRequestNo)
	}
	if ref.Type != "" {
		variant |= ofType
		args = append(args, string(ref.Type))
	}
	var order authOrderRow
	var operation authOperationRow
	err := q.read.QueryRowContext(ctx, orderOperationQueries[variant], args...).
		Scan(append(order.dest(), operation.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("fund auth operation %+v: %w", ref, zfb.ErrNotFound)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("fund auth operation %+v: %w", ref, err)
	}
	return order.order(), operation.operation(), nil
}

// orderOperationVariant is how an AuthOperationRef names its order and
// operation: a set of these flags.
type orderOperationVariant int

const (
	byOutOrderNo   orderOperationVariant = 1 << iota // the order by app and out_order_no, not auth_no
	byOutRequestNo                                   // the operation by out_request_no, not operation_id
	ofType                                           // the operation of one type
)

// orderOperationQueries are AuthOrderOperation's statements, one per
// variant, written once: their parameters come in the order the
// variant's conditions are named.
var orderOperationQueries = func() (queries [ofType << 1]string) {
	for v := range orderOperationVariant(len(queries)) {
		var conds []string
		param := func(cond string) {
			conds = append(conds, cond+" = $"+strconv.Itoa(len(conds)+1))
		}
		if v&byOutOrderNo == 0 {
			param("o.auth_no")
		} else {
			param("o.app_id")
			param("o.out_order_no")
		}
		if v&byOutRequestNo == 0 {
			param("op.operation_id")
		} else {
			param("op.out_request_no")
		}
		if v&ofType != 0 {
			param("op.type")
		}
		queries[v] = `SELECT ` + orderOperationColumns + `
		FROM fund_auth_orders o JOIN fund_auth_operations op ON op.auth_no = o.auth_no
		WHERE ` + strings.Join(conds, " AND ") + `
		ORDER BY CASE op.type WHEN 'FREEZE' THEN 0 WHEN 'UNFREEZE' THEN 1 ELSE 2 END LIMIT 1`
	}
	return queries
}()

// UpdateAuthOperation writes op's status, remark, trade_no, cancel_action,
// trans_at and closed_at over the stored operation; the rest (its order,
// out_request_no, type, amount and creation time) stays as it is whatever
// op says. It checks no version: the caller updates the operation's order
// in the same transaction, and that order's version decides races. An
// operation that does not exist is zfb.ErrNotFound.
func (q *queries) UpdateAuthOperation(ctx context.Context, op *zfb.AuthOperation) error {
	res, err := q.write.ExecContext(ctx, `UPDATE fund_auth_operations SET
			status = $2, remark = $3, trade_no = $4, cancel_action = $5, trans_at = $6, closed_at = $7
		WHERE operation_id = $1`,
		op.OperationID, string(op.Status), op.Remark, op.TradeNo, op.CancelAction,
		microsOrNull(op.TransAt), microsOrNull(op.ClosedAt))
	if err != nil {
		return fmt.Errorf("update fund auth operation %q: %w", op.OperationID, classify(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update fund auth operation %q: %w", op.OperationID, err)
	}
	if n == 0 {
		return fmt.Errorf("update fund auth operation %q: %w", op.OperationID, zfb.ErrNotFound)
	}
	return nil
}
