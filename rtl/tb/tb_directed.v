// Self-checking directed testbench for a generated power_arbiter (any rack): source regressions, hysteresis,
// over-cap persistence and release, stale sensor, reset. Rack-specific numbers come in as parameters
// (-P from codegen/tests/rtl_directed.rs). Ends with "N passed, M failed".
`timescale 1ns / 1ps
module tb_directed;
  parameter integer W = 20;
  parameter integer PERSIST = 20000; // cycles
  parameter integer RELEASE = 200000; // cycles
  parameter integer TIMEOUT = 50000; // cycles
  parameter integer T_AB = -14400; // thresholds in watts, T_<from><to>
  parameter integer T_BA = 14900;
  parameter integer T_CA = 29300;
  parameter integer T_CB = 14900;

  localparam [1:0] A = 2'd0, B = 2'd1, C = 2'd2;
  localparam [W-1:0] AMPLE_CAP = {W{1'b1}}; // with rack 0: more headroom than any threshold
  localparam integer MID_CAP = 1 << (W - 1);

  reg clk = 1'b0;
  reg rst = 1'b1;
  reg sample_valid = 1'b0;
  reg [W-1:0] cap_w = 0;
  reg [W-1:0] rack_w = 0;
  wire [1:0] plan;
  wire plan_strobe;

  power_arbiter dut (
    .clk(clk), .rst(rst), .sample_valid(sample_valid), .cap_w(cap_w), .rack_w(rack_w),
    .plan(plan), .plan_strobe(plan_strobe)
  );

  always #5 clk = ~clk;

  integer passed = 0;
  integer failed = 0;
  integer cycle = 0;
  integer monitor_errors = 0;
  reg [1:0] plan_before;
  reg rst_before;

  task check(input ok, input [8*72-1:0] what);
    begin
      if (ok) passed = passed + 1;
      else begin
        failed = failed + 1;
        $display("FAIL: %0s (cycle %0d, plan %0d, strobe %0d)", what, cycle, plan, plan_strobe);
      end
    end
  endtask

  // One clock: drive inputs, take the edge, then check the invariants every cycle must keep.
  task tick(input r, input v, input [W-1:0] c, input [W-1:0] p);
    begin
      rst = r; sample_valid = v; cap_w = c; rack_w = p;
      plan_before = plan; rst_before = r;
      @(posedge clk); #1;
      cycle = cycle + 1;
      if (plan === 2'd3 || plan === 2'bxx) monitor_errors = monitor_errors + 1;
      if (cycle > 1 && plan_strobe !== (rst_before ? 1'b1 : (plan !== plan_before))) begin
        monitor_errors = monitor_errors + 1;
        if (monitor_errors < 5) $display("monitor: strobe %0d but plan %0d -> %0d at cycle %0d", plan_strobe, plan_before, plan, cycle);
      end
    end
  endtask

  task sample(input [W-1:0] c, input [W-1:0] p); tick(1'b0, 1'b1, c, p); endtask
  task idle; tick(1'b0, 1'b0, 0, 0); endtask
  task reset; begin tick(1'b1, 1'b0, 0, 0); tick(1'b1, 1'b0, 0, 0); end endtask
  task ample; sample(AMPLE_CAP, 0); endtask

  integer i;
  integer changes;
  integer late_changes;
  integer not_c;
  reg [1:0] last;
  integer h0;
  integer k;
  integer th [0:4];

  // Alternate the headroom h0, h0-1 (rack moves by 1 W) for 64 samples; count plan changes.
  task alternate(input integer base);
    begin
      changes = 0; late_changes = 0; last = plan;
      for (i = 0; i < 64; i = i + 1) begin
        sample(MID_CAP, MID_CAP - base + (i % 2));
        if (plan !== last) begin
          changes = changes + 1;
          if (i >= 32) late_changes = late_changes + 1;
          last = plan;
        end
      end
    end
  endtask

  initial begin
    // ---- reset ----
    reset;
    check(plan === C && plan_strobe === 1'b1, "reset: plan C, strobe high while rst");
    idle;
    check(plan === C && plan_strobe === 1'b0, "after reset: plan C, strobe low");

    // ---- ample headroom reaches A; source regression: 1 W over the cap is never A ----
    ample;
    check(plan === A && plan_strobe === 1'b1, "ample headroom from C: plan A with strobe");
    sample(20000, 20001);
    check(plan !== A, "source regression: cap 20000 W, rack 20001 W => not A");
    ample;
    sample(120000, 120001);
    check(plan !== A, "cap 120000 W, rack 120001 W => not A");
    ample;
    sample(0, 1);
    check(plan !== A, "cap 0 W, rack 1 W => not A");
    ample;
    sample(120000, 120000);
    check(plan === A, "exactly at the cap: A may stay");
    sample(AMPLE_CAP - 1, AMPLE_CAP);
    check(plan !== A, "1 W over at the top of the range => not A");

    // ---- hysteresis: +-1 W alternation around every threshold, from A and from C ----
    th[0] = 0; th[1] = T_AB; th[2] = T_BA; th[3] = T_CA; th[4] = T_CB;
    for (k = 0; k < 10; k = k + 1) begin
      if (k < 5) ample; else reset;
      alternate(th[k % 5]);
      check(changes <= 2 && late_changes == 0, "+-1 W alternation around a threshold: no flapping");
      alternate(th[k % 5] + 1);
      check(changes <= 2 && late_changes == 0, "+-1 W alternation just above a threshold: no flapping");
    end

    // ---- over the cap by more than 3 %: short bursts do not latch, long ones do ----
    ample;
    for (i = 0; i < PERSIST - 4; i = i + 1) sample(100000, 103100);
    ample;
    check(plan === A, "over by 3.1 % for less than the persistence time: no latch");
    for (i = 0; i < 2 * PERSIST; i = i + 1) sample(100000, 103000);
    ample;
    check(plan === A, "over by exactly 3 % for twice the persistence time: no latch");
    for (i = 0; i < PERSIST + 8; i = i + 1) sample(100000, 103100);
    check(plan === C, "over by 3.1 % for the persistence time: plan C");
    not_c = 0;
    for (i = 0; i < RELEASE - 4; i = i + 1) begin
      ample;
      if (plan !== C) not_c = not_c + 1;
    end
    check(not_c == 0, "latched C holds for the release time despite ample headroom");
    for (i = 0; i < 12; i = i + 1) ample;
    check(plan === A, "released after the release time at or below the cap");

    // ---- latch with sparse samples (one valid sample every 97 cycles) ----
    for (i = 0; i < PERSIST + 200; i = i + 1)
      if (i % 97 == 0) sample(100000, 106000); else idle;
    check(plan === C, "sparse over-cap samples spanning the persistence time: plan C");
    for (i = 0; i < 40; i = i + 1) sample(100000, 100001);
    check(plan === C, "over the cap but within 3 %: stays C (no release while above the cap)");
    reset;

    // ---- stale sensor ----
    ample;
    not_c = 0;
    for (i = 0; i < TIMEOUT; i = i + 1) begin
      idle;
      if (plan !== A) not_c = not_c + 1;
    end
    check(not_c == 0, "no sample for less than the timeout: plan kept");
    idle;
    check(plan === C, "no sample for the timeout: plan C");
    ample;
    check(plan === A, "a fresh valid sample recovers from stale");

    // ---- reset from A ----
    tick(1'b1, 1'b1, AMPLE_CAP, 0);
    check(plan === C && plan_strobe === 1'b1, "reset overrides a valid sample: plan C");
    idle;

    check(monitor_errors == 0, "every cycle: plan never 3, strobe exactly on plan changes");
    $display("%0d cycles simulated", cycle);
    $display("%0d passed, %0d failed", passed, failed);
    $finish;
  end
endmodule
