impl :: bincode :: Encode for OpHeader
{
    fn encode < __E : :: bincode :: enc :: Encoder >
    (& self, encoder : & mut __E) ->core :: result :: Result < (), :: bincode
    :: error :: EncodeError >
    {
        :: bincode :: Encode :: encode(&self.op_id, encoder) ?; :: bincode ::
        Encode :: encode(&self.name, encoder) ?; :: bincode :: Encode ::
        encode(&self.slo_ms, encoder) ?; :: bincode :: Encode ::
        encode(&self.max_temp_delta_100ms, encoder) ?; :: bincode :: Encode ::
        encode(&self.link_budget_pj_per_bit, encoder) ?; :: bincode :: Encode
        :: encode(&self.link_bits_per_token, encoder) ?; :: bincode :: Encode
        :: encode(&self.plan_count, encoder) ?; core :: result :: Result ::
        Ok(())
    }
}