// Package zfb is the domain of zfb, a self-hosted Alipay: apps and their keys,
// buyers, money, the per-app clock, the double-entry ledger, the outbox, the
// errors Alipay answers with, and the Store contract the SQL backends fulfil.
//
// It imports nothing else of this module and knows no SQL and no wire format:
// adapters (openapi/, admin/) translate HTTP into calls on Service, and
// sqlstore/ implements Store for SQLite and PostgreSQL.
package zfb
