impl :: bincode :: Encode for Plan
{
    fn encode < __E : :: bincode :: enc :: Encoder >
    (& self, encoder : & mut __E) ->core :: result :: Result < (), :: bincode
    :: error :: EncodeError >
    {
        :: bincode :: Encode :: encode(&self.id, encoder) ?; :: bincode ::
        Encode :: encode(&self.precision, encoder) ?; :: bincode :: Encode ::
        encode(&self.link, encoder) ?; :: bincode :: Encode ::
        encode(&self.memory, encoder) ?; :: bincode :: Encode ::
        encode(&self.sm_mhz, encoder) ?; :: bincode :: Encode ::
        encode(&self.hbm_bw_tbps, encoder) ?; :: bincode :: Encode ::
        encode(&self.est_jpt, encoder) ?; :: bincode :: Encode ::
        encode(&self.est_lat_ms, encoder) ?; :: bincode :: Encode ::
        encode(&self.est_power_w, encoder) ?; :: bincode :: Encode ::
        encode(&self.link_pj_per_bit, encoder) ?; core :: result :: Result ::
        Ok(())
    }
}