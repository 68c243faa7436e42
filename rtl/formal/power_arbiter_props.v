// Formal properties of power_arbiter, proved by k-induction with yosys-smtbmc + z3 (codegen/tests/rtl_formal.rs):
//   (a) if rack_w exceeded cap_w on the previous valid sample, plan != A;
//   (b) plan != 3.
// The first cycle of every trace is a reset; the properties are checked from the second cycle on.
module power_arbiter_props #(parameter integer W = 20) (
  input wire         clk,
  input wire         rst,
  input wire         sample_valid,
  input wire [W-1:0] cap_w,
  input wire [W-1:0] rack_w
);
  wire [1:0] plan;
  wire plan_strobe;
  power_arbiter dut (
    .clk(clk), .rst(rst), .sample_valid(sample_valid), .cap_w(cap_w), .rack_w(rack_w),
    .plan(plan), .plan_strobe(plan_strobe)
  );

  reg init = 1'b1;
  reg prev_above = 1'b0; // rack_w > cap_w on the latest valid sample since reset
  always @(posedge clk) begin
    init <= 1'b0;
    if (rst) prev_above <= 1'b0;
    else if (sample_valid) prev_above <= rack_w > cap_w;
  end

  always @(*) begin
    if (init) assume(rst);
    if (!init) begin
      assert(plan != 2'd3);
      if (prev_above) assert(plan != 2'd0); // (a): line 31, named by rtl_formal.rs
    end
  end
endmodule
