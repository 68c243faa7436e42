impl :: bincode :: Encode for Header
{
    fn encode < __E : :: bincode :: enc :: Encoder >
    (& self, encoder : & mut __E) ->core :: result :: Result < (), :: bincode
    :: error :: EncodeError >
    {
        :: bincode :: Encode :: encode(&self.magic, encoder) ?; :: bincode ::
        Encode :: encode(&self.version, encoder) ?; :: bincode :: Encode ::
        encode(&self.sku, encoder) ?; :: bincode :: Encode ::
        encode(&self.model_hash, encoder) ?; :: bincode :: Encode ::
        encode(&self.op_count, encoder) ?; :: bincode :: Encode ::
        encode(&self.payload_len, encoder) ?; :: bincode :: Encode ::
        encode(&self.crc32, encoder) ?; core :: result :: Result :: Ok(())
    }
}