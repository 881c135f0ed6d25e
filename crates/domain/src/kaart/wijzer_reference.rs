//! The wijzer's advice written the plain way, for tests only: every service's
//! text is tokenised and matched word by word on every call, reasons are kept
//! as strings. The indexed engine in `wijzer.rs` must give exactly the same
//! advice (a property test compares them on random maps and answers), so its
//! speed-ups — the vocabulary, postings, per-rule candidate lists — cannot
//! change what a resident sees.

use super::*;

struct Cand {
    score: u32,
    reasons: Vec<Reason>,
}

impl Cand {
    fn add(&mut self, r: &Reason) {
        if self.reasons.len() < MAX_REASONS && !self.reasons.contains(r) {
            self.reasons.push(r.clone());
        }
    }
    fn add_last(&mut self, r: Reason) {
        if self.reasons.contains(&r) {
            return;
        }
        if self.reasons.len() < MAX_REASONS {
            self.reasons.push(r);
        } else {
            self.reasons[MAX_REASONS - 1] = r;
        }
    }
}

fn helps_with(mask: u16) -> Reason {
    let labels: Vec<&str> = LifeDomain::ALL
        .iter()
        .filter(|d| mask & (1 << domain_index(**d)) != 0)
        .map(|d| d.label())
        .collect();
    Reason(format!("Helpt bij: {}.", labels.join(", ")))
}

pub(super) fn suggest(
    content: &WijzerContent,
    services: &[(i64, Service)],
    answers: &Answers,
) -> Advice {
    let synonyms = content.synonym_table();
    let q_matcher = Matcher::with_synonyms(&answers.question, &synonyms);
    let talents = Matcher::talents(&answers.question, &synonyms);
    let q_stems = q_matcher.keys();
    let topics = content.selected_topics(&answers.question, &answers.topics);
    let topic_keys: BTreeSet<&str> = topics.iter().map(|(t, _)| t.key.as_str()).collect();
    let mut concerns: BTreeMap<&str, Reason> = BTreeMap::new();
    let mut domains: BTreeSet<LifeDomain> = content.domains_of(&topics);
    for q in &content.questions {
        let Some(chosen) = answers.situation.get(&q.key) else {
            continue;
        };
        if let Some(opt) = q.options.iter().find(|o| &o.key == chosen && o.concern) {
            concerns.insert(
                &q.key,
                Reason(format!("U antwoordde '{}' op '{}'.", opt.label, q.text)),
            );
            domains.insert(q.domain);
        }
    }
    let fires = |c: &Condition| -> Option<Vec<Reason>> {
        if c.is_empty() {
            return None;
        }
        let mut reasons = Vec::new();
        if !c.topics.is_empty() {
            let hit: Vec<&Reason> = topics
                .iter()
                .filter(|(t, _)| c.topics.contains(&t.key))
                .map(|(_, r)| r)
                .collect();
            if hit.is_empty() {
                return None;
            }
            reasons.extend(hit.into_iter().cloned());
        }
        if !c.words.is_empty() {
            let m = Matcher::keywords(&c.words);
            let hit = m.matched(&q_stems);
            if hit.is_empty() {
                return None;
            }
            let typed: Vec<&str> = hit
                .iter()
                .filter_map(|w| q_matcher.matched(&tokens(w)).first().copied())
                .collect();
            let shown = typed.first().copied().unwrap_or(hit[0]);
            reasons.push(Reason(format!("U schreef '{shown}'.")));
        }
        if !c.concerns.is_empty() {
            let hit: Vec<&Reason> = c
                .concerns
                .iter()
                .filter_map(|k| concerns.get(k.as_str()))
                .collect();
            if hit.is_empty() {
                return None;
            }
            reasons.extend(hit.into_iter().cloned());
        }
        if !c.likes.is_empty() {
            let hit: Vec<String> = c
                .likes
                .iter()
                .filter(|l| answers.likes.contains(l))
                .filter_map(|l| content.interests.iter().find(|i| &i.key == l))
                .map(|i| i.label.clone())
                .collect();
            if hit.is_empty() {
                return None;
            }
            reasons.push(Reason(format!(
                "U gaf aan: {}.",
                hit.join(", ").to_lowercase()
            )));
        }
        if !c.helpers.is_empty() {
            let hit: Vec<String> = c
                .helpers
                .iter()
                .filter(|h| answers.helpers.contains(h))
                .filter_map(|h| content.network.iter().find(|n| &n.key == h))
                .map(|n| n.label.clone())
                .collect();
            if hit.is_empty() {
                return None;
            }
            reasons.push(Reason(format!(
                "U noemde wie kan helpen: {}.",
                hit.join(", ").to_lowercase()
            )));
        }
        if c.nobody_helps {
            if !answers.nobody_helps {
                return None;
            }
            reasons.push(Reason(
                "U gaf aan dat er nu niemand is die kan helpen.".into(),
            ));
        }
        Some(reasons)
    };
    let usable = |s: &Service| {
        s.status == ServiceStatus::Active && answers.district.as_ref().is_none_or(|d| s.serves(d))
    };
    let text_stems: Vec<Vec<String>> = services
        .iter()
        .map(|(_, s)| tokens(&s.search_text()))
        .collect();
    // Contra-indications, checked on each text the plain way.
    let prepared: Vec<PreparedLimitation> = content
        .limitations
        .iter()
        .map(PreparedLimitation::new)
        .collect();
    let limits = ActiveLimits::new(content, &prepared, answers, &q_stems);
    let mut fixed = Vec::new();
    let mut cands: Vec<Cand> = services
        .iter()
        .map(|_| Cand {
            score: 0,
            reasons: Vec::new(),
        })
        .collect();
    for rule in &content.rules {
        let Some(mut rule_reasons) = fires(&rule.when) else {
            continue;
        };
        match &rule.then {
            RuleAction::Tip { title, text } | RuleAction::Network { title, text } => {
                match limits.check_text(&analyse(&format!("{title} {text}"))) {
                    None => continue,
                    Some(extra) => rule_reasons.extend(extra),
                }
                let (s, kind) = match rule.then {
                    RuleAction::Tip { .. } => (1, SuggestionKind::Tip),
                    _ => (2, SuggestionKind::Network),
                };
                fixed.push(Suggestion {
                    step: step(s),
                    kind,
                    title: title.clone(),
                    text: text.clone(),
                    reasons: rule_reasons,
                    score: 10,
                });
            }
            RuleAction::Services {
                domains: rd,
                words,
                collective_only,
                max_step,
            } => {
                let m = Matcher::keywords(words);
                let rule_mask = domain_mask(rd);
                for (i, (_, s)) in services.iter().enumerate() {
                    if !usable(s)
                        || s.volunteering
                        || s.step > *max_step
                        || (*collective_only && s.reach != Reach::Collective)
                    {
                        continue;
                    }
                    let shared = domain_mask(&s.domains) & rule_mask;
                    let words_hit = !m.matched(&text_stems[i]).is_empty();
                    if shared == 0 && !words_hit {
                        continue;
                    }
                    let c = &mut cands[i];
                    c.score += shared.count_ones() + if words_hit { 4 } else { 0 };
                    for r in &rule_reasons {
                        c.add(r);
                    }
                    if shared != 0 {
                        c.add(&helps_with(shared));
                    }
                }
            }
        }
    }
    let q_positive = q_matcher.positive();
    if !q_positive.is_empty() {
        for (i, (_, s)) in services.iter().enumerate() {
            if !usable(s) || s.volunteering {
                continue;
            }
            let in_name = q_positive.matched(&tokens(&s.name)).len();
            let hit = q_positive.matched(&text_stems[i]);
            if in_name == 0 && hit.len() < 2 {
                continue;
            }
            let c = &mut cands[i];
            c.score += 5 * (in_name + hit.len()) as u32;
            for w in hit {
                c.add(&Reason(format!("U schreef '{w}'.")));
            }
        }
    }
    for story in &content.stories {
        let shared: Vec<&str> = story
            .topics
            .iter()
            .filter(|t| topic_keys.contains(t.as_str()))
            .map(String::as_str)
            .collect();
        if shared.is_empty() {
            continue;
        }
        let labels: Vec<&str> = topics
            .iter()
            .filter(|(t, _)| shared.contains(&t.key.as_str()))
            .map(|(t, _)| t.label.as_str())
            .collect();
        fixed.push(Suggestion {
            step: step(1),
            kind: SuggestionKind::Story,
            title: story.title.clone(),
            text: story.text.clone(),
            reasons: vec![Reason(format!(
                "Een verhaal van iemand anders over '{}'.",
                labels.join("', '")
            ))],
            score: 5,
        });
    }
    // Lightest first; within a step best fit, then name, then position.
    let order = |a: &(u8, u32, usize), b: &(u8, u32, usize)| {
        a.0.cmp(&b.0)
            .then(b.1.cmp(&a.1))
            .then(services[a.2].1.name.cmp(&services[b.2].1.name))
            .then(a.2.cmp(&b.2))
    };
    let mut suggestions = fixed;
    suggestions.sort_by(|a, b| {
        a.step
            .cmp(&b.step)
            .then(b.score.cmp(&a.score))
            .then(a.title.cmp(&b.title))
    });
    let mut shown = [0usize; 6];
    suggestions.retain(|s| {
        let n = &mut shown[s.step.value() as usize];
        *n += 1;
        *n <= cap(s.step.value())
    });
    // A candidate that needs what the resident cannot do is left out; one
    // that says how it is accessible says so in its last reason.
    let limited = |c: &mut Cand, i: usize| -> bool {
        match limits.check_text(&analyse(&services[i].1.search_text())) {
            None => false,
            Some(extra) => {
                for r in extra {
                    c.add_last(r);
                }
                true
            }
        }
    };
    let mut ranked: Vec<(u8, u32, usize)> = Vec::new();
    for (i, c) in cands.iter_mut().enumerate() {
        if !c.reasons.is_empty() && limited(c, i) {
            ranked.push((services[i].1.step.value(), c.score, i));
        }
    }
    ranked.sort_by(order);
    for st in 1..=5u8 {
        let room = cap(st).saturating_sub(shown[st as usize].min(cap(st)));
        let mut offers: Vec<String> = Vec::new();
        for &(_, score, i) in ranked.iter().filter(|r| r.0 == st) {
            let offer = offer_key(&services[i].1);
            if !offers.contains(&offer) {
                if offers.len() == room {
                    continue;
                }
                offers.push(offer);
            }
            let (id, s) = &services[i];
            let individual = s.step.value() == 5;
            suggestions.push(Suggestion {
                step: s.step,
                kind: if individual {
                    SuggestionKind::AskWijkteam { id: *id }
                } else {
                    SuggestionKind::Service { id: *id }
                },
                title: s.name.clone(),
                text: if individual {
                    ASK_WIJKTEAM_TEXT.to_owned()
                } else {
                    s.description.clone()
                },
                reasons: cands[i].reasons.clone(),
                score,
            });
        }
    }
    suggestions.sort_by_key(|a| a.step);

    let mut give_c: Vec<Cand> = services
        .iter()
        .map(|_| Cand {
            score: 0,
            reasons: Vec::new(),
        })
        .collect();
    for interest in &content.interests {
        let m = Matcher::keywords(&interest.keywords);
        if m.is_empty() {
            continue;
        }
        let Some(reason) = talent(interest, &m, answers, &talents) else {
            continue;
        };
        for (i, (_, s)) in services.iter().enumerate() {
            if usable(s) && s.volunteering && !m.matched(&text_stems[i]).is_empty() {
                give_c[i].score += 1;
                give_c[i].add(&reason);
            }
        }
    }
    let mut ranked: Vec<(u8, u32, usize)> = Vec::new();
    for (i, c) in give_c.iter_mut().enumerate() {
        if !c.reasons.is_empty() && limited(c, i) {
            ranked.push((0, c.score, i));
        }
    }
    ranked.sort_by(order);
    let give = ranked
        .into_iter()
        .take(GIVE_CAP)
        .map(|(_, score, i)| {
            let (id, s) = &services[i];
            Suggestion {
                step: s.step,
                kind: SuggestionKind::Give { id: *id },
                title: s.name.clone(),
                text: s.description.clone(),
                reasons: give_c[i].reasons.clone(),
                score,
            }
        })
        .collect();
    Advice {
        suggestions,
        give,
        domains: domains.into_iter().collect(),
    }
}
