// What a dashboard form posts: its own fields, every one a string, with the CSRF token that every
// signed-in form carries; nothing else. One TypeBox schema gives the check and the handler's types.
import { Type, type TProperties } from 'typebox';

export const formBody = <P extends TProperties>(fields: P) =>
  Type.Object(
    { _csrf: Type.Optional(Type.String({ maxLength: 200 })), ...fields },
    { additionalProperties: false },
  );

/**
 * A text field of at most `maxLength` characters that the form may leave out; the service behind the
 * form says what is wrong with what was typed, in words the page shows.
 */
export const optionalField = (maxLength: number) => Type.Optional(Type.String({ maxLength }));

/**
 * What a form's redirect brings back to its page, shown once at the top: a notice (`?notice=`, it
 * worked) or a problem (`?problem=`, it did not: shown as an error).
 */
export const noticeField = { notice: optionalField(300), problem: optionalField(300) };
