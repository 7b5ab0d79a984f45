-- Which prompt template and version each call was written from ('social.caption@3'; null: no template).
alter table ai_usage add column prompt text;
