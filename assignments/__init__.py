"""Your assignments: fill in the stubs of gates.py, gradient_check.py, svm.py, softmax.py, linear_classifier.py
and two_layer_net.py."""
