/* Checks the C header riirc emits for a frontier table (`static const` data): the structured copy carries the
 * source's plan values, and the embedded bytes are a table libriir_runtime.a accepts and negotiates with.
 * Compiled by runtime-stub/capi/tests/c_abi.rs with -I pointing at the generated frontier_table.h. */
#include <stdio.h>

#include "frontier_table.h"
#include "riir_runtime.h"

int main(void) {
  int failures = 0;
#define CHECK(cond)                                       \
  do {                                                    \
    int ok_ = (cond);                                     \
    printf("%s: %s\n", ok_ ? "ok" : "FAIL", #cond);       \
    failures += !ok_;                                     \
  } while (0)
  CHECK(table_op_count == 2);
  CHECK(table_ops[0].plan_count == 3);
  CHECK(table_ops[0].plans[1].id == 'B');
  CHECK(table_ops[0].plans[1].est_jpt == 0.28f);
  CHECK(table_ops[0].plans[1].est_lat_ms == 19.6f);
  CHECK(table_ops[0].plans[1].sm_mhz == 1680u);
  CHECK(table_ops[0].fallback.est_jpt == 0.19f);
  CHECK(table_ops[0].max_temp_delta_100ms == 3.0f);
  CHECK(riir_table_check(table_bytes, table_bytes_len, table_sku) == RIIR_OK);
  int err = -1;
  riir_negotiator *neg =
      riir_negotiator_new(table_bytes, table_bytes_len, table_sku, RIIR_POLICY_CONTRACT, 4, &err);
  CHECK(neg != NULL);
  riir_telemetry t = {2e6, 2e6, 0.0, 0.0, 60.0, 0.0, 1e9, 0.0};
  riir_pending_op ops[2] = {{0, 5, 20.0f}, {1, 5, 20.0f}};
  riir_choice out[2];
  riir_tick_report r;
  CHECK(riir_negotiator_tick(neg, &t, ops, 2, out, &r) == RIIR_OK);
  CHECK(out[0].plan == 0 && out[0].plan_class == 0);
  riir_negotiator_free(neg);
  printf("%d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
