//! The decode step as a petgraph DAG: one node per kernel, edges for the activations and the residual stream.
//!
//! Nodes are added in execution order, so insertion order is a topological order; [`DecodeGraph::check`]
//! asserts that every edge points forward and that the graph has no cycle.

use super::config::ModelConfig;
use super::cost::{Dims, LowerOptions, Role, Work};
use super::error::LowerError;
use petgraph::graph::{DiGraph, NodeIndex};

/// One kernel of the decode step.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Stable, readable op name: `embed`, `layer3.qkv_proj`, `lm_head`, …
    pub name: String,
    pub role: Role,
    /// The decoder layer, for per-layer ops.
    pub layer: Option<u64>,
    pub work: Work,
}

/// Why one op depends on another.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Edge {
    /// The consumer reads the producer's output.
    Data,
    /// The consumer adds the residual stream the producer last updated.
    Residual,
}

/// One decode step of a model at one configuration, before it becomes RIIR.
#[derive(Clone, Debug)]
pub struct DecodeGraph {
    pub graph: DiGraph<Node, Edge>,
    pub config: ModelConfig,
    pub options: LowerOptions,
    pub dims: Dims,
}

impl DecodeGraph {
    /// Builds the step: embed → layers → final norm → lm_head.
    pub fn build(config: &ModelConfig, options: &LowerOptions) -> Result<DecodeGraph, LowerError> {
        let dims = Dims::new(config, options)?;
        let mut g: DiGraph<Node, Edge> = DiGraph::new();
        let add = |g: &mut DiGraph<Node, Edge>, role: Role, layer: Option<u64>, work: Work| {
            let name = match layer {
                Some(l) => format!("layer{l}.{}", role.name()),
                None => role.name().to_string(),
            };
            g.add_node(Node {
                name,
                role,
                layer,
                work,
            })
        };

        // `stream`: the op whose output the next op reads by default; `residual`: the op that last wrote the
        // residual stream (the embedding, then each block's residual add).
        let mut stream: Option<NodeIndex> = None;
        for (role, work) in dims.prologue_ops() {
            let n = add(&mut g, role, None, work);
            if let Some(prev) = stream {
                g.add_edge(prev, n, Edge::Data);
            }
            stream = Some(n);
        }
        let mut residual: Option<NodeIndex> = stream;

        let layer_ops = dims.layer_ops();
        for layer in 0..config.num_hidden_layers {
            // This layer's ops so far, by role (each role appears at most once per layer).
            let mut seen: Vec<(Role, NodeIndex)> = Vec::new();
            for (role, work) in layer_ops.iter().cloned() {
                let n = add(&mut g, role, Some(layer), work);
                let of = |r: Role| seen.iter().find(|(sr, _)| *sr == r).map(|&(_, i)| i);
                let data: Vec<NodeIndex> = match role {
                    // The appends copy k and v out of the qkv output; attention reads q from it and K, V from
                    // the cache the appends just wrote.
                    Role::KAppend | Role::VAppend => of(Role::QkvProj).into_iter().collect(),
                    Role::Attention => [Role::QkvProj, Role::KAppend, Role::VAppend]
                        .into_iter()
                        .filter_map(of)
                        .collect(),
                    // With experts the router and the cast both read the normed tokens …
                    Role::GateUpQuant => of(Role::MlpNorm).into_iter().collect(),
                    // … gate_up reads the (cast) tokens and the router's choice, and down scales each expert's
                    // output by the router's weight.
                    Role::GateUp => [of(Role::GateUpQuant).or(of(Role::MlpNorm)), of(Role::Router)]
                        .into_iter()
                        .flatten()
                        .collect(),
                    Role::Down => stream.into_iter().chain(of(Role::Router)).collect(),
                    _ => stream.into_iter().collect(),
                };
                for d in data {
                    g.add_edge(d, n, Edge::Data);
                }
                if matches!(role, Role::AttnResidual | Role::MlpResidual) {
                    if let Some(r) = residual.filter(|&r| Some(r) != stream) {
                        g.add_edge(r, n, Edge::Residual);
                    }
                    residual = Some(n);
                }
                seen.push((role, n));
                stream = Some(n);
            }
        }

        for (role, work) in dims.epilogue_ops() {
            let n = add(&mut g, role, None, work);
            if let Some(prev) = stream {
                g.add_edge(prev, n, Edge::Data);
            }
            stream = Some(n);
        }

        Ok(DecodeGraph {
            graph: g,
            config: config.clone(),
            options: options.clone(),
            dims,
        })
    }

    /// Nodes in execution order (insertion order, which is topological).
    pub fn nodes(&self) -> impl Iterator<Item = &Node> + '_ {
        self.graph.node_weights()
    }

    /// Checks the graph is a DAG whose insertion order is a topological order; returns the offending edge.
    pub fn check(&self) -> Result<(), String> {
        for e in self.graph.edge_indices() {
            let (a, b) = self.graph.edge_endpoints(e).expect("edge index from this graph");
            if a.index() >= b.index() {
                return Err(format!(
                    "edge {} -> {} does not point forward",
                    self.graph[a].name, self.graph[b].name
                ));
            }
        }
        if petgraph::algo::is_cyclic_directed(&self.graph) {
            return Err("decode graph has a cycle".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use riir_dialect::Precision;

    fn config(moe: bool) -> ModelConfig {
        let extra = if moe {
            r#", "num_local_experts": 8, "num_experts_per_tok": 2"#
        } else {
            ""
        };
        let text = format!(
            r#"{{"hidden_size": 256, "num_hidden_layers": 3, "num_attention_heads": 8, "num_key_value_heads": 2,
                "intermediate_size": 512, "vocab_size": 1000{extra}}}"#
        );
        ModelConfig::from_json(&text, "t.json", "t").unwrap()
    }

    fn names(g: &DecodeGraph) -> Vec<String> {
        g.nodes().map(|n| n.name.clone()).collect()
    }

    #[test]
    fn dense_tp1_has_twelve_ops_per_layer_and_is_a_dag() {
        let g = DecodeGraph::build(&config(false), &LowerOptions::new(4, 16, 1, Precision::Bf16)).unwrap();
        g.check().unwrap();
        assert_eq!(g.graph.node_count(), 1 + 3 * 12 + 2);
        assert_eq!(
            names(&g)[..12],
            [
                "embed",
                "layer0.attn_norm",
                "layer0.qkv_proj",
                "layer0.k_append",
                "layer0.v_append",
                "layer0.attention",
                "layer0.o_proj",
                "layer0.attn_residual",
                "layer0.mlp_norm",
                "layer0.gate_up",
                "layer0.act",
                "layer0.down",
            ]
        );
        assert_eq!(names(&g)[36..], ["layer2.mlp_residual", "final_norm", "lm_head"]);
    }

    #[test]
    fn tp_adds_three_kinds_of_allreduce_and_moe_adds_a_router() {
        let g = DecodeGraph::build(&config(true), &LowerOptions::new(4, 16, 2, Precision::Bf16)).unwrap();
        g.check().unwrap();
        // embed, embed_allreduce; 15 per layer; final_norm, lm_head.
        assert_eq!(g.graph.node_count(), 2 + 3 * 15 + 2);
        let layer1: Vec<_> = g
            .nodes()
            .filter(|n| n.layer == Some(1))
            .map(|n| n.role.name())
            .collect();
        assert_eq!(
            layer1,
            [
                "attn_norm",
                "qkv_proj",
                "k_append",
                "v_append",
                "attention",
                "o_proj",
                "attn_allreduce",
                "attn_residual",
                "mlp_norm",
                "router",
                "gate_up",
                "act",
                "down",
                "mlp_allreduce",
                "mlp_residual",
            ]
        );
    }

    #[test]
    fn fp8_casts_the_input_of_every_linear_but_the_router() {
        let g = DecodeGraph::build(&config(true), &LowerOptions::new(4, 16, 2, Precision::Fp8)).unwrap();
        g.check().unwrap();
        // 15 per layer plus 4 casts; the lm_head's cast after the final norm.
        assert_eq!(g.graph.node_count(), 2 + 3 * 19 + 3);
        let layer0: Vec<_> = g
            .nodes()
            .filter(|n| n.layer == Some(0))
            .map(|n| n.role.name())
            .collect();
        assert_eq!(
            layer0,
            [
                "attn_norm",
                "qkv_quant",
                "qkv_proj",
                "k_append",
                "v_append",
                "attention",
                "o_quant",
                "o_proj",
                "attn_allreduce",
                "attn_residual",
                "mlp_norm",
                "router",
                "gate_up_quant",
                "gate_up",
                "act",
                "down_quant",
                "down",
                "mlp_allreduce",
                "mlp_residual",
            ]
        );
        assert_eq!(names(&g)[59..], ["final_norm", "lm_head_quant", "lm_head"]);
        // The cast reads the normed tokens (not the router); gate_up reads the cast and the router.
        assert_eq!(data_into(&g, "layer0.gate_up_quant"), ["layer0.mlp_norm"]);
        assert_eq!(
            data_into(&g, "layer0.gate_up"),
            ["layer0.router", "layer0.gate_up_quant"]
        );
        assert_eq!(data_into(&g, "layer0.down"), ["layer0.router", "layer0.down_quant"]);
    }

    fn find(g: &DecodeGraph, name: &str) -> petgraph::graph::NodeIndex {
        g.graph.node_indices().find(|&i| g.graph[i].name == name).unwrap()
    }

    /// Sources of the edges of `kind` into `name`, in node order.
    fn edges_into(g: &DecodeGraph, name: &str, kind: Edge) -> Vec<String> {
        let mut from: Vec<_> = g
            .graph
            .edges_directed(find(g, name), petgraph::Direction::Incoming)
            .filter(|e| *e.weight() == kind)
            .map(|e| petgraph::visit::EdgeRef::source(&e))
            .collect();
        from.sort();
        from.into_iter().map(|i| g.graph[i].name.clone()).collect()
    }

    fn data_into(g: &DecodeGraph, name: &str) -> Vec<String> {
        edges_into(g, name, Edge::Data)
    }

    #[test]
    fn residual_edges_chain_the_residual_adds_and_attention_reads_the_appends() {
        let g = DecodeGraph::build(&config(false), &LowerOptions::new(1, 1, 1, Precision::Bf16)).unwrap();
        let residual_into = |name: &str| edges_into(&g, name, Edge::Residual);
        assert_eq!(residual_into("layer0.attn_norm"), Vec::<String>::new());
        assert_eq!(residual_into("layer0.attn_residual"), ["embed"]);
        assert_eq!(residual_into("layer0.mlp_residual"), ["layer0.attn_residual"]);
        assert_eq!(residual_into("layer1.attn_residual"), ["layer0.mlp_residual"]);
        assert_eq!(residual_into("layer1.mlp_norm"), Vec::<String>::new());
        assert_eq!(data_into(&g, "layer1.mlp_norm"), ["layer1.attn_residual"]);
        assert_eq!(data_into(&g, "layer1.attn_norm"), ["layer0.mlp_residual"]);
        assert_eq!(data_into(&g, "final_norm"), ["layer2.mlp_residual"]);
        assert_eq!(data_into(&g, "layer0.v_append"), ["layer0.qkv_proj"]);
        assert_eq!(
            data_into(&g, "layer0.attention"),
            ["layer0.qkv_proj", "layer0.k_append", "layer0.v_append"]
        );
        assert_eq!(data_into(&g, "layer0.attn_residual"), ["layer0.o_proj"]);
    }
}
