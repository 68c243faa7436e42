impl :: bincode :: Encode for Fallback
{
    fn encode < __E : :: bincode :: enc :: Encoder >
    (& self, encoder : & mut __E) ->core :: result :: Result < (), :: bincode
    :: error :: EncodeError >
    {
        :: bincode :: Encode :: encode(&self.action, encoder) ?; :: bincode ::
        Encode :: encode(&self.est_jpt, encoder) ?; :: bincode :: Encode ::
        encode(&self.est_lat_ms, encoder) ?; :: bincode :: Encode ::
        encode(&self.est_power_w, encoder) ?; :: bincode :: Encode ::
        encode(&self.link_pj_per_bit, encoder) ?; core :: result :: Result ::
        Ok(())
    }
}