// Minimal types for ml-cart 2 (the package ships none): only what the drivers tree uses.
declare module 'ml-cart' {
  export interface CartNode {
    splitColumn?: number
    splitValue?: number
    left?: CartNode
    right?: CartNode
    distribution?: number
  }
  export class DecisionTreeRegression {
    constructor(options?: {
      minNumSamples?: number
      maxDepth?: number
      gainFunction?: 'regression'
      splitFunction?: 'mean'
    })
    root: CartNode
    train(x: number[][], y: number[]): void
    predict(x: number[][]): number[]
  }
}
