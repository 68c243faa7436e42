impl < __Context > :: bincode :: Decode < __Context > for Fallback
{
    fn decode < __D : :: bincode :: de :: Decoder < Context = __Context > >
    (decoder : & mut __D) ->core :: result :: Result < Self, :: bincode ::
    error :: DecodeError >
    {
        core :: result :: Result ::
        Ok(Self
        {
            action : :: bincode :: Decode :: decode(decoder) ?, est_jpt : ::
            bincode :: Decode :: decode(decoder) ?, est_lat_ms : :: bincode ::
            Decode :: decode(decoder) ?, est_power_w : :: bincode :: Decode ::
            decode(decoder) ?, link_pj_per_bit : :: bincode :: Decode ::
            decode(decoder) ?,
        })
    }
} impl < '__de, __Context > :: bincode :: BorrowDecode < '__de, __Context >
for Fallback
{
    fn borrow_decode < __D : :: bincode :: de :: BorrowDecoder < '__de,
    Context = __Context > > (decoder : & mut __D) ->core :: result :: Result <
    Self, :: bincode :: error :: DecodeError >
    {
        core :: result :: Result ::
        Ok(Self
        {
            action : :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, est_jpt : :: bincode :: BorrowDecode ::<
            '_, __Context >:: borrow_decode(decoder) ?, est_lat_ms : ::
            bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, est_power_w : :: bincode :: BorrowDecode
            ::< '_, __Context >:: borrow_decode(decoder) ?, link_pj_per_bit :
            :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?,
        })
    }
}