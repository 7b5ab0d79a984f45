// What a dashboard form posts: its own fields, every one a string, with the CSRF token that every
// signed-in form carries; nothing else. One TypeBox schema gives the check and the handler's types.
import { Type, type TProperties } from 'typebox';

export const formBody = <P extends TProperties>(fields: P) =>
  Type.Object(
    { _csrf: Type.Optional(Type.String({ maxLength: 200 })), ...fields },
    { additionalProperties: false },
  );

/** A text field of the form, at most `maxLength` characters. */
export const field = (maxLength: number) => Type.String({ maxLength });

/** A field the browser may leave out (an unticked checkbox, a field the page did not show). */
export const optionalField = (maxLength: number) => Type.Optional(field(maxLength));
