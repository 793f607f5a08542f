-- replaces: 050_apartment_agreements
-- 050_apartment_agreements: the residence agreement's texts, versioned (issue 5). Numbered
-- apart from issues 3 and 4 (membership decides what is applied, not the highest number).
-- A version's text is what a guest accepted at check-in (apartment_booking.agreement_version):
-- once a booking accepted it, it no longer changes; admins publish a new version instead.
CREATE TABLE apartment_agreement (
    version    TEXT PRIMARY KEY,
    text_zh    TEXT NOT NULL,
    text_en    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT NOT NULL DEFAULT 0
);
INSERT INTO apartment_agreement (version, text_zh, text_en, created_at, updated_at) VALUES (
    '2025-03',
    '本人承诺所提交的身份、学历、资格等信息真实有效。
公寓仅限申请人本人入住，不得转借、转租或留宿他人。
临时门禁密码仅限本人使用，不得告知他人；遗失请及时到服务台处理。
爱护公寓设施，遵守安全、消防和卫生管理规定，损坏照价赔偿。
按预约日期退房；提前退房须到服务台或在线办理，门禁密码随即作废。
本人同意公寓为办理入住而处理本人的个人信息，入住结束后按规定期限删除。',
    'I confirm that my identity, education and qualification details are true.
Only I stay in the apartment; I do not lend, sublet or host anyone.
The temporary door code is for me alone and I tell it to nobody; I report a lost code to the desk.
I take care of the facilities, follow the safety, fire and hygiene rules, and pay for damage.
I check out on the booked date; an early check-out at the desk or online revokes the door code.
I agree that the apartment processes my personal data for the stay and erases it after the set period.',
    0, 0);
