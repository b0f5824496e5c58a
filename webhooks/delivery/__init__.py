"""Delivering events to customers' endpoints.

Delivery life cycle: `pending` (due at `next_attempt_at`) -> `sending` (claimed by one worker under a
lease) -> `succeeded` | back to `pending` (retry scheduled) | `failed` (schedule exhausted, endpoint
gone or disabled). A worker that dies while `sending` leaves a lease that runs out; the periodic
dispatcher then hands the row to another worker, so delivery is at least once. Deliveries travel in
batches of one webhook's rows (`WEBHOOK_DELIVERY_BATCH_SIZE`), one task and one connection each.

- `queueing`: delivery rows -> batches on the broker, after the transaction commits.
- `claiming`: a batch's due rows claimed under one lease token, an attempt row opened for each.
- `engine`: sending a claimed batch over one connection; dispatching due rows.
- `outcomes`: recording what each attempt did (retries, auto-disable, rows given back).
"""
