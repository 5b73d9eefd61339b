import { native } from './native.js';
import { keep } from './scope.js';
import { Tensor } from './tensor.js';

/**
 * A tensor that is a module's learnable weight (torch.nn.Parameter): it requires gradients by
 * default and is never collected by an enclosing `tidy` scope. It shares `data`'s storage.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    super(native.op_alias(native.op_detach(data.handle)));
    keep(this);
    this.requiresGrad_(requiresGrad);
  }
}
