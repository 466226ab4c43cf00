// Package zfb is the domain of zfb, a self-hosted Alipay: apps and their keys,
// buyers, money, the per-app clock, the double-entry ledger, the outbox, the
// errors Alipay answers with, the Store contract the SQL backends fulfil, and
// each product's rules in files named after it: face-to-face trades
// (trade_*.go), fund authorisation (fundauth_*.go) and international
// acquiring (intl_*.go, fx.go), with the due work the scheduler runs
// (due.go).
//
// It imports nothing else of this module and knows no SQL and no wire format:
// adapters (openapi/ for gateway.do, intl/ for the international dialect,
// admin/) translate HTTP into calls on Service, notify/ sends the outbox,
// and sqlstore/ implements Store for SQLite and PostgreSQL. Service is the
// one door: every read and write goes through it.
package zfb
