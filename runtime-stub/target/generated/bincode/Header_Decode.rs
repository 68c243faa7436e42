impl < __Context > :: bincode :: Decode < __Context > for Header
{
    fn decode < __D : :: bincode :: de :: Decoder < Context = __Context > >
    (decoder : & mut __D) ->core :: result :: Result < Self, :: bincode ::
    error :: DecodeError >
    {
        core :: result :: Result ::
        Ok(Self
        {
            magic : :: bincode :: Decode :: decode(decoder) ?, version : ::
            bincode :: Decode :: decode(decoder) ?, sku : :: bincode :: Decode
            :: decode(decoder) ?, model_hash : :: bincode :: Decode ::
            decode(decoder) ?, op_count : :: bincode :: Decode ::
            decode(decoder) ?, payload_len : :: bincode :: Decode ::
            decode(decoder) ?, crc32 : :: bincode :: Decode :: decode(decoder)
            ?,
        })
    }
} impl < '__de, __Context > :: bincode :: BorrowDecode < '__de, __Context >
for Header
{
    fn borrow_decode < __D : :: bincode :: de :: BorrowDecoder < '__de,
    Context = __Context > > (decoder : & mut __D) ->core :: result :: Result <
    Self, :: bincode :: error :: DecodeError >
    {
        core :: result :: Result ::
        Ok(Self
        {
            magic : :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, version : :: bincode :: BorrowDecode ::<
            '_, __Context >:: borrow_decode(decoder) ?, sku : :: bincode ::
            BorrowDecode ::< '_, __Context >:: borrow_decode(decoder) ?,
            model_hash : :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, op_count : :: bincode :: BorrowDecode
            ::< '_, __Context >:: borrow_decode(decoder) ?, payload_len : ::
            bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, crc32 : :: bincode :: BorrowDecode ::<
            '_, __Context >:: borrow_decode(decoder) ?,
        })
    }
}