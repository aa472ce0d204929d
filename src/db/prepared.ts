/**
 * `.options(PREPARED)` on a knex query marks it as one of the few hot, fixed-shape reads (an account
 * by id, a row by id for a write): on a PostgreSQL server it runs as a named prepared statement.
 * Planning was 60–75 % of PostgreSQL's work for `GET /accounts/:id` (EXPLAIN ANALYZE on 1M accounts:
 * planning 0.50–0.95 ms, execution 0.17–0.43 ms); a prepared statement is planned once per
 * connection, and from its sixth run PostgreSQL keeps a generic plan (planning 0.012–0.018 ms).
 * Only queries whose text does not vary with the data may carry it: each distinct text stays
 * prepared on every pooled connection for the connection's life.
 */
export const PREPARED = { prepare: true } as const;
