impl < __Context > :: bincode :: Decode < __Context > for OpHeader
{
    fn decode < __D : :: bincode :: de :: Decoder < Context = __Context > >
    (decoder : & mut __D) ->core :: result :: Result < Self, :: bincode ::
    error :: DecodeError >
    {
        core :: result :: Result ::
        Ok(Self
        {
            op_id : :: bincode :: Decode :: decode(decoder) ?, name : ::
            bincode :: Decode :: decode(decoder) ?, slo_ms : :: bincode ::
            Decode :: decode(decoder) ?, max_temp_delta_100ms : :: bincode ::
            Decode :: decode(decoder) ?, link_budget_pj_per_bit : :: bincode
            :: Decode :: decode(decoder) ?, link_bits_per_token : :: bincode
            :: Decode :: decode(decoder) ?, plan_count : :: bincode :: Decode
            :: decode(decoder) ?,
        })
    }
} impl < '__de, __Context > :: bincode :: BorrowDecode < '__de, __Context >
for OpHeader
{
    fn borrow_decode < __D : :: bincode :: de :: BorrowDecoder < '__de,
    Context = __Context > > (decoder : & mut __D) ->core :: result :: Result <
    Self, :: bincode :: error :: DecodeError >
    {
        core :: result :: Result ::
        Ok(Self
        {
            op_id : :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, name : :: bincode :: BorrowDecode ::<
            '_, __Context >:: borrow_decode(decoder) ?, slo_ms : :: bincode ::
            BorrowDecode ::< '_, __Context >:: borrow_decode(decoder) ?,
            max_temp_delta_100ms : :: bincode :: BorrowDecode ::< '_,
            __Context >:: borrow_decode(decoder) ?, link_budget_pj_per_bit :
            :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?, link_bits_per_token : :: bincode ::
            BorrowDecode ::< '_, __Context >:: borrow_decode(decoder) ?,
            plan_count : :: bincode :: BorrowDecode ::< '_, __Context >::
            borrow_decode(decoder) ?,
        })
    }
}