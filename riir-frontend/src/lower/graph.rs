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

        // `stream`: the op whose output the next op reads; `residual`: the op that last updated the residual.
        let mut stream: Option<NodeIndex> = None;
        for (role, work) in dims.prologue_ops() {
            let n = add(&mut g, role, None, work);
            if let Some(prev) = stream {
                g.add_edge(prev, n, Edge::Data);
            }
            stream = Some(n);
        }
        // The embedding output is also the first residual.
        let mut residual: Option<NodeIndex> = stream;

        let layer_ops = dims.layer_ops();
        for layer in 0..config.num_hidden_layers {
            let mut mlp_norm = None;
            let mut router = None;
            for (role, work) in layer_ops.iter().cloned() {
                let n = add(&mut g, role, Some(layer), work);
                if let Some(prev) = stream {
                    g.add_edge(prev, n, Edge::Data);
                }
                match role {
                    // Each norm adds the residual stream to its input (vLLM's fused add + RMSNorm) and becomes
                    // the new residual. Layer 0's first norm reads the embedding, which is both.
                    Role::AttnNorm | Role::MlpNorm => {
                        if let Some(r) = residual.filter(|&r| Some(r) != stream) {
                            g.add_edge(r, n, Edge::Residual);
                        }
                        residual = Some(n);
                        if role == Role::MlpNorm {
                            mlp_norm = Some(n);
                        }
                    }
                    Role::Router => router = Some(n),
                    // With experts, gate_up reads the normed tokens as well as the router's choice.
                    Role::GateUp => {
                        if let (Some(_), Some(m)) = (router, mlp_norm) {
                            g.add_edge(m, n, Edge::Data);
                        }
                    }
                    // … and down scales each expert's output by the router's weight.
                    Role::Down => {
                        if let Some(r) = router {
                            g.add_edge(r, n, Edge::Data);
                        }
                    }
                    _ => {}
                }
                stream = Some(n);
            }
        }

        for (role, work) in dims.epilogue_ops() {
            let n = add(&mut g, role, None, work);
            if let Some(prev) = stream {
                g.add_edge(prev, n, Edge::Data);
            }
            if role == Role::FinalNorm {
                if let Some(r) = residual.filter(|&r| Some(r) != stream) {
                    g.add_edge(r, n, Edge::Residual);
                }
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
    fn dense_tp1_has_eight_ops_per_layer_and_is_a_dag() {
        let g = DecodeGraph::build(&config(false), &LowerOptions::new(4, 16, 1, Precision::Bf16)).unwrap();
        g.check().unwrap();
        assert_eq!(g.graph.node_count(), 1 + 3 * 8 + 2);
        assert_eq!(
            names(&g)[..9],
            [
                "embed",
                "layer0.attn_norm",
                "layer0.qkv_proj",
                "layer0.attention",
                "layer0.o_proj",
                "layer0.mlp_norm",
                "layer0.gate_up",
                "layer0.act",
                "layer0.down"
            ]
        );
        assert_eq!(names(&g)[25..], ["final_norm", "lm_head"]);
    }

    #[test]
    fn tp_adds_three_kinds_of_allreduce_and_moe_adds_a_router() {
        let g = DecodeGraph::build(&config(true), &LowerOptions::new(4, 16, 2, Precision::Bf16)).unwrap();
        g.check().unwrap();
        // embed, embed_allreduce; 11 per layer; final_norm, lm_head.
        assert_eq!(g.graph.node_count(), 2 + 3 * 11 + 2);
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
                "attention",
                "o_proj",
                "attn_allreduce",
                "mlp_norm",
                "router",
                "gate_up",
                "act",
                "down",
                "mlp_allreduce"
            ]
        );
    }

    #[test]
    fn residual_edges_chain_the_norms() {
        let g = DecodeGraph::build(&config(false), &LowerOptions::new(1, 1, 1, Precision::Bf16)).unwrap();
        let find = |name: &str| g.graph.node_indices().find(|&i| g.graph[i].name == name).unwrap();
        let residual_into = |name: &str| -> Vec<String> {
            g.graph
                .edges_directed(find(name), petgraph::Direction::Incoming)
                .filter(|e| *e.weight() == Edge::Residual)
                .map(|e| g.graph[petgraph::visit::EdgeRef::source(&e)].name.clone())
                .collect()
        };
        assert_eq!(residual_into("layer0.attn_norm"), Vec::<String>::new());
        assert_eq!(residual_into("layer0.mlp_norm"), ["layer0.attn_norm"]);
        assert_eq!(residual_into("layer1.attn_norm"), ["layer0.mlp_norm"]);
        assert_eq!(residual_into("layer1.mlp_norm"), ["layer1.attn_norm"]);
        assert_eq!(residual_into("final_norm"), ["layer2.mlp_norm"]);
    }
}
