use super::suggestion_hint;

#[test]
fn suggestions_count_characters_not_bytes() {
    let candidates = vec![
        "本年新收政府信息公开申请数量".to_string(),
        "上年结转政府信息公开申请数量".to_string(),
    ];
    // Two characters wrong of fourteen: within the limit, the nearest label is suggested.
    assert_eq!(
        suggestion_hint("本年新收政府信息公开申请数目", &candidates),
        "是否应为「本年新收政府信息公开申请数量」？栏目名称要与格式完全一致。"
    );
    // Too far from every label: the list instead.
    assert_eq!(
        suggestion_hint("其他", &candidates),
        "这里可用的栏目：本年新收政府信息公开申请数量、上年结转政府信息公开申请数量。"
    );
    assert_eq!(suggestion_hint("其他", &[]), "这里不应有栏目；请检查缩进。");
}
