// The public faces modules offer each other, by name. Each module adds its own in its index.ts:
//
//   declare module '../../platform/kit/faces.ts' {
//     interface Faces { shop: ShopReader }
//   }
//
// A module names the faces it needs (`needs: ['shop']`) and gets them typed (`context.use('shop')`);
// it never imports another module's service class or reaches into its tables.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Faces {}

export type FaceName = keyof Faces;
