// Synthesis wrapper for power_arbiter: registers every input and output so the reported fmax covers the
// arbiter's input-to-state logic (telemetry arrives registered in a real design), not only its internal paths.
module synth_top #(parameter integer W = 20) (
  input  wire         clk,
  input  wire         rst_i,
  input  wire         sample_valid_i,
  input  wire [W-1:0] cap_w_i,
  input  wire [W-1:0] rack_w_i,
  output reg  [1:0]   plan_o,
  output reg          plan_strobe_o
);
  reg rst;
  reg sample_valid;
  reg [W-1:0] cap_w;
  reg [W-1:0] rack_w;
  wire [1:0] plan;
  wire plan_strobe;
  always @(posedge clk) begin
    rst <= rst_i;
    sample_valid <= sample_valid_i;
    cap_w <= cap_w_i;
    rack_w <= rack_w_i;
    plan_o <= plan;
    plan_strobe_o <= plan_strobe;
  end
  power_arbiter dut (
    .clk(clk), .rst(rst), .sample_valid(sample_valid), .cap_w(cap_w), .rack_w(rack_w),
    .plan(plan), .plan_strobe(plan_strobe)
  );
endmodule
