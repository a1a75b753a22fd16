//! Inquiries with answer templates; the station's channels and posts.
use crate::commands::cases::Label;
use crate::state::{AppState, CmdError, CmdResult};
use chrono::NaiveDate;
use serde::Deserialize;
use tinbao_core::community::{
    AnswerTemplate, ChannelInfo, INQUIRY_TOPICS, Inquiry, NewChannel, NewInquiry, NewPost, Post,
};
use ts_rs::TS;
use uuid::Uuid;

pub async fn inquiry_topics() -> CmdResult<Vec<Label>> {
    Ok(INQUIRY_TOPICS
        .iter()
        .map(|(code, vi)| Label {
            code: (*code).to_owned(),
            vi: (*vi).to_owned(),
            en: topic_en(code).to_owned(),
        })
        .collect())
}

fn topic_en(code: &str) -> &'static str {
    match code {
        "cccd" => "ID card, electronic identification",
        "cu_tru" => "Permanent and temporary residence",
        "ho_tich" => "Civil status, identity confirmation",
        "pccc" => "Fire prevention and fighting",
        "xe" => "Vehicle registration",
        _ => "Other",
    }
}

pub async fn inquiries(state: &AppState) -> CmdResult<Vec<Inquiry>> {
    state.with(|s| Ok(s.store.inquiries(500)?))
}

pub async fn add_inquiry(state: &AppState, inquiry: NewInquiry) -> CmdResult<Uuid> {
    state.with(|s| Ok(s.store.add_inquiry(&s.actor, inquiry)?))
}

pub async fn answer_templates(state: &AppState) -> CmdResult<Vec<AnswerTemplate>> {
    state.with(|s| Ok(s.store.answer_templates(None)?))
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct TemplateInput {
    pub id: Option<Uuid>,
    pub topic: String,
    pub title: String,
    pub body: String,
}

pub async fn save_answer_template(state: &AppState, template: TemplateInput) -> CmdResult<Uuid> {
    state.with(|s| {
        Ok(s.store.save_answer_template(
            &s.actor,
            template.id,
            &template.topic,
            &template.title,
            &template.body,
        )?)
    })
}

pub async fn channels(state: &AppState) -> CmdResult<Vec<ChannelInfo>> {
    state.with(|s| Ok(s.store.channels()?))
}

pub async fn add_channel(state: &AppState, channel: NewChannel) -> CmdResult<Uuid> {
    state.with(|s| Ok(s.store.add_channel(&s.actor, channel)?))
}

fn parse_day(s: &str) -> CmdResult<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| CmdError::invalid("Ngày không hợp lệ (cần dd/MM/yyyy)."))
}

pub async fn record_followers(
    state: &AppState,
    channel: Uuid,
    on: String,
    followers: i64,
) -> CmdResult<()> {
    let on = parse_day(&on)?;
    state.with(|s| Ok(s.store.record_followers(&s.actor, channel, on, followers)?))
}

pub async fn posts(state: &AppState) -> CmdResult<Vec<Post>> {
    state.with(|s| Ok(s.store.posts(500)?))
}

pub async fn add_post(state: &AppState, post: NewPost) -> CmdResult<Uuid> {
    state.with(|s| Ok(s.store.add_post(&s.actor, post)?))
}

pub async fn set_post_reach(
    state: &AppState,
    id: Uuid,
    views: i64,
    reactions: i64,
) -> CmdResult<()> {
    state.with(|s| Ok(s.store.set_post_reach(&s.actor, id, views, reactions)?))
}
