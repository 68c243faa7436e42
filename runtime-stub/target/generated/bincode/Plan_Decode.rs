impl < __Context > :: bincode :: Decode < __Context > for Plan
{
    fn decode < __D : :: bincode :: de :: Decoder < Context = __Context > >
    (decoder : & mut __D) ->core :: result :: Result < Self, :: bincode ::
    error :: DecodeError >
    {
        core :: result :: Result ::
        Ok(Self
        {
            id : :: bincode :: Decode :: decode(decoder) ?, precision : ::
            bincode :: Decode :: decode(decoder) ?, link : :: bincode ::
            Decode :: decode(decoder) ?, memory : :: bincode :: Decode ::
            decode(decoder) ?, sm_mhz : :: bincode :: Decode ::
            decode(decoder) ?, hbm_bw_tbps : :: bincode :: Decode ::
            decode(decoder) ?, est_jpt : :: bincode :: Decode ::
            decode(decoder) ?, est_lat_ms : :: bincode :: Decode ::
            decode(decoder) ?, est_power_w : :: bincode :: Decode ::
            decode(decoder) ?, link_pj_per_bit : :: bincode :: Decode ::
            decode(decoder) ?,
        })
    }
} impl < '__de, __Context > :: bincode :: BorrowDecode < '__de, __Context >
for Plan
{
    fn borrow_decode < __D : :: bincode :: de :: BorrowDecoder < '__de,
    Context = __Context > > (decoder : & mut __D) ->core :: result :: Result <
    Self, :: bincode :: error :: DecodeError >
    {
        core :: result :: Result ::
        Ok(Self
        {
            id : :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, precision : :: bincode :: BorrowDecode
            ::< '_, __Context >:: borrow_decode(decoder) ?, link : :: bincode
            :: BorrowDecode ::< '_, __Context >:: borrow_decode(decoder) ?,
            memory : :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, sm_mhz : :: bincode :: BorrowDecode ::<
            '_, __Context >:: borrow_decode(decoder) ?, hbm_bw_tbps : ::
            bincode :: BorrowDecode ::< '_, __Context >::
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