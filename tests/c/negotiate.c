/* C ABI test program: loads a frontier table from a file, runs negotiator ticks through libriir_runtime.a and
 * checks the chosen plans. Usage: negotiate TABLE_FILE SKU. Prints one line per check; exits 0 only if all pass.
 * The table (written by runtime-stub/capi/tests/c_abi.rs) holds the source document's attention op as frontier 0:
 * plans A (0.42 J/token), B (0.28), C (0.24), fallback recompute_kv (0.19), no link budget. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riir_runtime.h"

#define N_OPS 8000

static int failures = 0;

static void check(int ok, const char *what) {
  printf("%s: %s\n", ok ? "ok" : "FAIL", what);
  if (!ok) failures++;
}

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) != 0) { fclose(f); return NULL; }
  long size = ftell(f);
  if (size < 0 || fseek(f, 0, SEEK_SET) != 0) { fclose(f); return NULL; }
  unsigned char *buf = malloc(size > 0 ? (size_t)size : 1);
  if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) { free(buf); buf = NULL; }
  fclose(f);
  *len = (size_t)size;
  return buf;
}

static riir_telemetry steady(double cap_w, double non_gpu_w) {
  riir_telemetry t;
  t.pdu_cap_w = cap_w;
  t.cap_forecast_5s_w = cap_w;
  t.rack_power_w = 0.0;
  t.non_gpu_load_w = non_gpu_w;
  t.hbm_temp_c = 70.0;
  t.hbm_temp_rate_c_per_s = 0.0;
  t.link_budget_pj_per_bit = INFINITY;
  t.energy_model_rel_variance = 0.0016;
  return t;
}

static size_t count_plan(const riir_choice *out, size_t n, uint8_t plan) {
  size_t c = 0;
  for (size_t i = 0; i < n; i++) c += out[i].plan == plan;
  return c;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s TABLE_FILE SKU\n", argv[0]);
    return 2;
  }
  size_t len = 0;
  unsigned char *table = read_file(argv[1], &len);
  if (!table) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }

  /* Table checks through the ABI. */
  check(riir_table_check(table, len, argv[2]) == RIIR_OK, "table accepted for its SKU");
  check(riir_table_check(table, len, "gb200") == RIIR_ERR_WRONG_SKU, "wrong SKU rejected");
  check(riir_table_check(table, len - 1, argv[2]) == RIIR_ERR_TRUNCATED, "truncated table rejected");
  table[len - 1] ^= 0x40;
  check(riir_table_check(table, len, argv[2]) == RIIR_ERR_CRC_MISMATCH, "corrupted table rejected");
  table[len - 1] ^= 0x40;
  check(riir_table_check(NULL, len, argv[2]) == RIIR_ERR_NULL, "null bytes rejected");

  int err = -1;
  check(riir_negotiator_new(table, len, argv[2], 7, N_OPS, &err) == NULL && err == RIIR_ERR_BAD_POLICY,
        "unknown policy rejected");
  riir_negotiator *neg = riir_negotiator_new(table, len, argv[2], RIIR_POLICY_CONTRACT, N_OPS, &err);
  free(table); /* the negotiator keeps its own copy */
  check(neg != NULL && err == RIIR_OK, "negotiator created");
  if (!neg) return 1;
  check(riir_negotiator_frontier_count(neg) == 2, "two frontiers loaded");

  static riir_pending_op ops[N_OPS];
  static riir_choice out[N_OPS];
  for (size_t i = 0; i < N_OPS; i++) {
    ops[i].frontier = 0;
    ops[i].tokens = 5;
    ops[i].deadline_ms = 20.0f;
  }
  riir_tick_report r;

  /* 1.92 MW with 90 kW of other load: every op fits at plan A. */
  riir_telemetry t = steady(1.92e6, 90e3);
  check(riir_negotiator_tick(neg, &t, ops, N_OPS, out, &r) == RIIR_OK, "tick at 1.92 MW");
  check(r.status == RIIR_TICK_OK && count_plan(out, N_OPS, 0) == N_OPS && r.broadcast == 0, "all ops at A");

  /* Curtailment to 1.78 MW: 1,789 ops move A -> B (each saves 0.7 J of the 1,252 J cut), nothing else moves. */
  t = steady(1.78e6, 90e3);
  check(riir_negotiator_tick(neg, &t, ops, N_OPS, out, &r) == RIIR_OK, "tick at 1.78 MW");
  printf("curtailed: A %u, B %u, C %u, fallback %u, energy %.1f J of %.1f J\n", r.class_counts[0],
         r.class_counts[1], r.class_counts[2], r.class_counts[3], r.energy_j, r.budget_j);
  check(count_plan(out, N_OPS, 1) == 1789 && count_plan(out, N_OPS, 0) == N_OPS - 1789, "1789 ops A -> B");
  check(r.energy_j <= r.budget_j, "within budget");

  /* Thermal event: 96 C rising 40 C/s reaches the 100 C limit within 100 ms: plan C everywhere. */
  t = steady(1.92e6, 90e3);
  t.hbm_temp_c = 96.0;
  t.hbm_temp_rate_c_per_s = 40.0;
  check(riir_negotiator_tick(neg, &t, ops, N_OPS, out, &r) == RIIR_OK, "tick while hot");
  check(count_plan(out, N_OPS, 2) == N_OPS && out[0].plan_class == 2 && r.thermal_guarded == N_OPS,
        "thermal guard forces plan C");

  /* Unreadable cap: fail-safe, every op at its fallback. */
  t = steady(NAN, 90e3);
  check(riir_negotiator_tick(neg, &t, ops, N_OPS, out, &r) == RIIR_OK, "tick with NaN cap");
  check(r.status == RIIR_TICK_FAIL_SAFE && count_plan(out, N_OPS, RIIR_FALLBACK_PLAN) == N_OPS,
        "fail-safe fallback");

  /* Budget below every op's fallback: infeasible, reported. */
  t = steady(1.92e6, 1.9e6);
  check(riir_negotiator_tick(neg, &t, ops, N_OPS, out, &r) == RIIR_OK, "tick with a tiny budget");
  check(r.status == RIIR_TICK_BUDGET_INFEASIBLE && r.class_counts[3] == N_OPS, "infeasible budget reported");

  /* Caller errors. */
  ops[3].frontier = 9;
  check(riir_negotiator_tick(neg, &t, ops, N_OPS, out, &r) == RIIR_ERR_UNKNOWN_FRONTIER, "unknown frontier");
  ops[3].frontier = 0;
  check(riir_negotiator_tick(neg, &t, ops, N_OPS + 1, out, &r) == RIIR_ERR_TOO_MANY_OPS, "too many ops");
  check(riir_negotiator_tick(neg, NULL, ops, N_OPS, out, &r) == RIIR_ERR_NULL, "null telemetry");
  check(riir_negotiator_tick(NULL, &t, ops, N_OPS, out, &r) == RIIR_ERR_NULL, "null negotiator");
  check(riir_negotiator_tick(neg, &t, NULL, 0, NULL, NULL) == RIIR_OK, "empty tick");

  riir_negotiator_free(neg);
  riir_negotiator_free(NULL);
  printf("%d failures\n", failures);
  return failures == 0 ? 0 : 1;
}
