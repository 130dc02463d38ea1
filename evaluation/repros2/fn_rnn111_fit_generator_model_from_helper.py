# Expected RNN111 (model.fit_generator removed in Keras 3); got nothing (RNN301 does treat it as a fit).
# From r2_gh_lone17_hwr_fit_generator.py: the model is built by a function of another module.
# Cause (suspected): checks/legacy_keras_api.py reports *_generator only on receivers known to be Keras
# models (load_model(...) or a model built in the file); `model = crnn()` from `from models import *` is
# unknown. A `.fit_generator(` call with steps_per_epoch= is Keras-specific enough to report on any receiver.
from keras.callbacks import EarlyStopping
from models import *

model = crnn()
model.fit_generator(generator=gen, steps_per_epoch=100, epochs=30)
